import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { createTableRunStore } from "../../shared/adapters/tableRunStore.js";
import { planFailover } from "../../shared/domain/planFailover.js";
import { successorsOf } from "../../shared/domain/plan.js";
import { DrError } from "../../shared/ports/errors.js";
import type { RunRecord, RunStore, StepRecord } from "../../shared/ports/runStore.js";
import { azuriteTables } from "../../local/azurite.js";
import { sampleEstate } from "../helpers.js";

const estate = sampleEstate();
let store: RunStore;

beforeEach(async () => {
  store = await createTableRunStore(azuriteTables(inject("tableEndpoint"), `t${randomBytes(4).toString("hex")}`));
});

function newRun(runId: string): { run: RunRecord; steps: StepRecord[] } {
  const request = { mode: "unplanned" as const, scope: { kind: "all" as const } };
  const plan = planFailover(estate, request);
  const successors = successorsOf(plan);
  return {
    run: {
      runId,
      estate: estate.name,
      mode: "unplanned",
      request,
      trigger: "test",
      notes: plan.notes,
      status: "running",
      startedAt: "2026-11-25T10:00:00.000Z",
    },
    steps: plan.steps.map((step) => ({
      runId,
      step,
      status: "pending",
      successors: successors.get(step.id) ?? [],
      satisfied: [],
      seq: 0,
      retries: 0,
      journal: {},
    })),
  };
}

describe("Table Storage run store (Azurite)", () => {
  it("creates a run with all its steps (over several batches) and reads them back", async () => {
    const { run, steps } = newRun("run-a");
    expect(steps.length).toBeGreaterThan(0);
    await store.createRun(run, steps);
    expect((await store.getRun("run-a"))?.value).toEqual(run);
    const stored = await store.listSteps("run-a");
    expect(stored).toHaveLength(steps.length);
    expect(stored.find((s) => s.step.id === "failover:DC01")).toEqual(steps.find((s) => s.step.id === "failover:DC01"));
  });

  it("creating the same run twice changes nothing and keeps progress", async () => {
    const { run, steps } = newRun("run-b");
    await store.createRun(run, steps);
    const entry = await store.getStep("run-b", "verify-dc");
    if (!entry) throw new Error("missing step");
    await store.updateStep({ ...entry.value, status: "succeeded" }, entry.etag);
    await store.createRun(run, steps);
    expect((await store.getStep("run-b", "verify-dc"))?.value.status).toBe("succeeded");
  });

  it("rejects a write with a stale ETag", async () => {
    const { run, steps } = newRun("run-c");
    await store.createRun(run, steps);
    const first = await store.getStep("run-c", "verify-dc");
    if (!first) throw new Error("missing step");
    await store.updateStep({ ...first.value, status: "running" }, first.etag);
    const stale = store.updateStep({ ...first.value, status: "failed" }, first.etag);
    await expect(stale).rejects.toSatisfy((e: unknown) => e instanceof DrError && e.code === "PreconditionFailed");
    const runEntry = await store.getRun("run-c");
    if (!runEntry) throw new Error("missing run");
    await store.updateRun({ ...runEntry.value, status: "succeeded" }, runEntry.etag);
    await expect(store.updateRun({ ...runEntry.value, status: "failed" }, runEntry.etag)).rejects.toSatisfy(
      (e: unknown) => e instanceof DrError && e.code === "PreconditionFailed",
    );
  });

  it("holds one active run per estate until it is released", async () => {
    const results = await Promise.all(["run-1", "run-2", "run-3"].map((id) => store.acquireRunLock(estate.name, id)));
    const winner = results[0];
    expect(new Set(results).size).toBe(1);
    expect(["run-1", "run-2", "run-3"]).toContain(winner);
    await store.releaseRunLock(estate.name, "not-the-holder");
    expect(await store.acquireRunLock(estate.name, "run-4")).toBe(winner);
    expect(await store.runLockHolder(estate.name)).toBe(winner);
    await store.releaseRunLock(estate.name, winner ?? "");
    expect(await store.runLockHolder(estate.name)).toBeUndefined();
    expect(await store.acquireRunLock(estate.name, "run-4")).toBe("run-4");
    expect(await store.acquireRunLock("another-estate", "run-5")).toBe("run-5");
  });

  it("lists an estate's runs newest first", async () => {
    const older = newRun("run-old");
    const newer = newRun("run-new");
    await store.createRun(older.run, []);
    await store.createRun({ ...newer.run, startedAt: "2026-11-25T11:00:00.000Z" }, []);
    expect((await store.listRuns(estate.name)).map((r) => r.runId)).toEqual(["run-new", "run-old"]);
  });

  it("reads optional fields back as written, and leaves them out again once cleared", async () => {
    const { run, steps } = newRun("run-opt");
    await store.createRun(run, steps);
    const runEntry = await store.getRun("run-opt");
    const stepEntry = await store.getStep("run-opt", "verify-dc");
    if (!runEntry || !stepEntry) throw new Error("missing run or step");

    const finished: RunRecord = { ...run, status: "failed", finishedAt: "2026-11-25T10:30:00.000Z", failureReason: "gate closed", requestedBy: "user-1" };
    const runEtag = await store.updateRun(finished, runEntry.etag);
    expect((await store.getRun("run-opt"))?.value).toEqual(finished);
    await store.updateRun(run, runEtag);
    expect((await store.getRun("run-opt"))?.value).toEqual(run);

    const failed: StepRecord = {
      ...stepEntry.value,
      status: "failed",
      wakeAt: "2026-11-25T10:05:00.000Z",
      detail: "no answer",
      startedAt: "2026-11-25T10:01:00.000Z",
      finishedAt: "2026-11-25T10:06:00.000Z",
      error: "DC silent",
    };
    const stepEtag = await store.updateStep(failed, stepEntry.etag);
    expect((await store.getStep("run-opt", "verify-dc"))?.value).toEqual(failed);
    await store.updateStep(stepEntry.value, stepEtag);
    expect((await store.getStep("run-opt", "verify-dc"))?.value).toEqual(stepEntry.value);
  });
});
