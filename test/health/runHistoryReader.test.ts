import { randomBytes } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { azuriteTables } from "../../local/azurite.js";
import { createTableRunStore } from "../../shared/adapters/tableRunStore.js";
import type { FailoverRequest, RunMode, Step } from "../../shared/domain/plan.js";
import { createRunHistoryReader } from "../../shared/health/runHistoryReader.js";
import type { RunRecord, StepRecord } from "../../shared/ports/runStore.js";
import { sampleEstate } from "../helpers.js";

const estate = sampleEstate();

function run(runId: string, mode: RunMode, startedAt: string, request: Partial<FailoverRequest> = {}): RunRecord {
  return {
    runId,
    estate: estate.name,
    request: { mode, scope: { kind: "all" }, ...request },
    mode,
    trigger: "test",
    notes: [],
    status: "succeeded",
    startedAt,
    finishedAt: startedAt,
  };
}

function step(runId: string, s: Step, patch: Partial<StepRecord> = {}): StepRecord {
  return { runId, step: s, status: "succeeded", successors: [], satisfied: [], seq: 0, retries: 0, journal: {}, ...patch };
}

const failover = (vm: string): Step => ({
  kind: "failover",
  id: `failover:${vm}`,
  dependsOn: [],
  target: vm,
  vm,
  mode: "test",
  recoveryPoint: "latestProcessed",
});
const checks = (vm: string): Step => ({ kind: "guestChecks", id: `checks:${vm}`, dependsOn: [`failover:${vm}`], target: vm, vm, checks: ["domainController"] });

describe("run history reader", () => {
  it("reads the checks steps of the most recent drills and failovers, with the test VM the failover step recorded", async () => {
    const store = await createTableRunStore(azuriteTables(inject("tableEndpoint"), `g${randomBytes(4).toString("hex")}`));
    const testVmId = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/DC01-test";
    await store.createRun(run("drill-old", "test", "2026-11-01T02:00:00.000Z"), [
      step("drill-old", failover("DC01")),
      step("drill-old", checks("DC01"), { finishedAt: "2026-11-01T02:20:00.000Z", detail: "domainController: ok" }),
    ]);
    await store.createRun(run("drill-new", "test", "2026-11-20T02:00:00.000Z"), [
      step("drill-new", failover("DC01"), { journal: { output: { testVmId, testVmName: "DC01-test" } } }),
      step("drill-new", checks("DC01"), {
        status: "failed",
        finishedAt: "2026-11-20T04:00:00.000Z",
        error: "DC01: Run Command not accepted yet (VMAgentStatusCommunicationError ...)",
      }),
    ]);
    // Neither runs in-guest checks: a cleanup-only drill and failback preparation.
    await store.createRun(run("cleanup", "test", "2026-11-21T02:00:00.000Z", { cleanupOnly: true }), [step("cleanup", checks("DC01"))]);
    await store.createRun(run("failback", "failback-prep", "2026-11-22T02:00:00.000Z"), [step("failback", checks("DC01"))]);

    const reader = createRunHistoryReader({ store, estate });
    const all = await reader.recentGuestChecks(20);
    expect(all.map((e) => e.runId)).toEqual(["drill-new", "drill-old"]);
    expect(all[0]).toMatchObject({
      mode: "test",
      vm: "DC01",
      stepStatus: "failed",
      targetVmId: testVmId,
      detail: expect.stringContaining("VMAgentStatusCommunicationError"),
      finishedAt: new Date("2026-11-20T04:00:00.000Z"),
    });
    expect(all[1]).toMatchObject({ stepStatus: "succeeded", detail: "domainController: ok" });
    expect(all[1]?.targetVmId).toBeUndefined();
    // Bounded: only the newest runs are read.
    expect((await reader.recentGuestChecks(1)).map((e) => e.runId)).toEqual(["drill-new"]);
  });
});
