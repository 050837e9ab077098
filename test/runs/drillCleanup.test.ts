import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLocalStack } from "../../local/localStack.js";
import type { HealthCheck } from "../../shared/domain/health/healthReport.js";
import type { Logger } from "../../shared/ports/logger.js";
import { cleanupRunIdFor, MAX_GRACE_AFTER_END_MINUTES } from "../../shared/runs/drillCleanup.js";
import { decideCleanupExtension } from "../../shared/runs/runControl.js";
import { sampleEstate } from "../helpers.js";
import { awaiting, finished, startTestApi, type TestApi } from "../host/http/httpHelpers.js";

let api: TestApi;
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

beforeAll(async () => {
  // DC01's test VM fails its domain controller check: a drill of the identity tier fails.
  api = await startTestApi({ settings: { DRILL_CLEANUP_AFTER_MINUTES: "30" }, faults: { unhealthyDrillDc: ["DC01"] } });
});
afterAll(() => api.stop());

const cleanupCalls = (): number => api.sandbox.stack.azure.stats().byOperation["ReplicationProtectedItems_TestFailoverCleanup"] ?? 0;
const testVms = (): string[] => api.sandbox.stack.azure.existingVmNames().filter((n) => n.endsWith("-test"));
const audit = async (action: string): Promise<{ who: string; result: string; runId?: string; detail?: string }[]> =>
  (await api.sandbox.stack.root.audit.list()).filter((e) => e.action === action);

async function healthCheck(holder: string): Promise<HealthCheck | undefined> {
  const outcome = await api.sandbox.stack.root.healthCheck.run({ trigger: "test", isPastDue: false, holder }, quiet);
  if (outcome.status !== "completed") throw new Error("the health check was skipped");
  return outcome.report.estateChecks.find((c) => c.kind === "leftoverTestVms");
}

async function startDrill(tiers: string[]): Promise<string> {
  const started = await api.call("POST", "/api/failover", { as: "operator", body: { mode: "test", scope: { tiers }, finish: "manual", reason: "drill" } });
  expect(started.status).toBe(202);
  return String(started.json.runId);
}

describe("a drill that is cancelled or fails leaves nothing behind", () => {
  it("cancelled: reported red and blocking drills, cleaned up on its own after the grace period, once", async () => {
    const runId = await startDrill(["web"]);
    await api.waitForRun(runId, awaiting("cleanup"));
    expect(testVms().sort()).toEqual(["WEB01-test", "WEB02-test", "WEB03-test"]);

    // The health check sees them in ASR, and a scheduled drill will not start on them.
    expect(await healthCheck("hc-1")).toMatchObject({ status: "red", reason: expect.stringMatching(/3 test VM\(s\) not cleaned up \(WEB01, WEB02, WEB03\)/) });
    const fired = await fetch(`${api.sandbox.url}/admin/functions/scheduledDrill`, {
      method: "POST",
      headers: { "x-functions-key": api.sandbox.masterKey, "content-type": "application/json" },
      body: "{}",
    });
    expect(fired.status).toBe(202);
    await api.sandbox.idle();
    expect((await audit("scheduled drill"))[0]).toMatchObject({
      result: "skipped",
      detail: expect.stringMatching(/ASR still holds test failovers: 3 test VM/),
    });

    const cancelled = await api.call("POST", `/api/runs/${runId}/cancel`, { as: "operator", body: { reason: "stop the drill" } });
    expect(cancelled.status).toBe(202);
    const dueAt = /cleaned up on their own at (\S+);/.exec(String(cancelled.json.next))?.[1];
    expect(dueAt).toBeDefined();

    // The sandbox skips the idle wait: the grace period passes, and the cleanup runs, on its own.
    await api.sandbox.idle();
    const cleanup = await api.waitForRun(cleanupRunIdFor(runId), finished);
    expect(cleanup).toMatchObject({ outcome: "succeeded", trigger: `automatic cleanup of drill ${runId}` });
    expect(Date.parse(cleanup.startedAt)).toBeGreaterThanOrEqual(Date.parse(dueAt ?? ""));
    expect(testVms()).toEqual([]);
    expect(cleanupCalls()).toBe(3);
    expect(await audit("drill cleanup")).toMatchObject([{ who: "system", result: "started", runId }]);

    // Extending is an operator's action with its body checked, audited; too late now.
    expect((await api.call("POST", `/api/runs/${runId}/extend-cleanup`, { as: "reader", body: { minutes: 60, reason: "look first" } })).status).toBe(403);
    expect(await api.call("POST", `/api/runs/${runId}/extend-cleanup`, { as: "operator", body: { minutes: 0, reason: "look first" } })).toMatchObject({
      status: 400,
      json: { field: "minutes" },
    });
    expect(await api.call("POST", `/api/runs/${runId}/extend-cleanup`, { as: "operator", body: { minutes: 60, reason: "too late" } })).toMatchObject({
      status: 409,
      json: { detail: expect.stringMatching(/already ran \(started at/) },
    });
    expect((await audit("extend cleanup")).map((e) => e.result)).toEqual(["refused 409"]);

    // The same message again does nothing.
    const again = await api.sandbox.stack.root.runApi.drillCleanupFor(quiet).handle({ runId, dueAt: new Date(dueAt ?? ""), attempt: 0 });
    expect(again.outcome).toBe("alreadyDone");
    expect(cleanupCalls()).toBe(3);
    expect(await healthCheck("hc-2")).toMatchObject({ status: "green" });
    expect(api.sandbox.stack.azure.misuse).toEqual([]);
  });

  it("failed: the engine's end of the run schedules it; deliveries racing each other start one cleanup run", async () => {
    const before = cleanupCalls();
    const runId = await startDrill(["identity"]);
    const failed = await api.waitForRun(runId, finished);
    expect(failed.outcome).toBe("failed");
    const drill = (await api.sandbox.stack.store.getRun(runId))?.value;
    expect(drill?.finishedAt).toBeDefined();
    const dueAt = new Date(Date.parse(drill?.finishedAt ?? "") + 30 * 60_000);

    // Three deliveries of the due message at once (a redelivery racing a duplicate), and the queue's own.
    const cleanup = api.sandbox.stack.root.runApi.drillCleanupFor(quiet);
    const outcomes = await Promise.all([0, 1, 2].map(() => cleanup.handle({ runId, dueAt, attempt: 0 })));
    // The queue's own delivery may have come first (the sandbox skips idle time): then they find it done.
    for (const o of outcomes) expect(["started", "alreadyDone"]).toContain(o.outcome);
    await api.sandbox.idle();
    expect((await api.waitForRun(cleanupRunIdFor(runId), finished)).outcome).toBe("succeeded");
    const runs = await api.sandbox.stack.store.listRuns(api.sandbox.stack.estate.name);
    expect(runs.filter((r) => r.request.cleanupOnly && r.trigger.includes(runId)).map((r) => r.runId)).toEqual([cleanupRunIdFor(runId)]);
    // The drill stopped at DC01's checks, before DC02's test failover: DC01's test VM alone is cleaned up, once.
    expect(cleanupCalls() - before).toBe(1);
    expect((await audit("drill cleanup")).filter((e) => e.runId === runId).map((e) => e.result)).toEqual(["started"]);
    expect(testVms()).toEqual([]);
  });
});

describe("an operator puts a drill's automatic cleanup off", () => {
  it("the cleanup waits for the extended time: the earlier message only re-sends the one that is due", async () => {
    const stack = await createLocalStack({
      estate: sampleEstate(),
      tableEndpoint: inject("tableEndpoint"),
      log: quiet,
      notifier: { notify: () => Promise.resolve() },
      realTime: false,
      settings: { DRILL_CLEANUP_AFTER_MINUTES: "30" },
    });
    try {
      const { runId } = await stack.engine.startRun({ mode: "test", scope: { kind: "tiers", tiers: ["web"] }, manualFinish: true }, "drill");
      await stack.drain(); // up to the cleanup gate, which waits for a person
      const control = stack.root.runApi.runControlFor(quiet);
      const olga = { id: "oid-olga", name: "olga.operator@contoso.com" };
      expect(await control.cancel(runId, olga, "stop the drill")).toMatchObject({ ok: true, status: 202 });
      const extended = await control.extendCleanup(runId, olga, 90, "look at WEB02 first");
      if (!extended.ok) throw new Error(extended.detail);
      const dueAt = Date.parse(String(extended.body["cleanupDueAt"]));
      expect(dueAt - Date.parse(String(extended.body["previousDueAt"]))).toBe(90 * 60_000);

      await stack.drainChecks(); // the grace period's message, superseded; then the extended one
      await stack.drain(); // the cleanup run
      const cleanup = (await stack.store.getRun(cleanupRunIdFor(runId)))?.value;
      expect(cleanup).toMatchObject({
        status: "succeeded",
        request: { mode: "test", cleanupOnly: true, scope: { kind: "vms", vms: ["WEB01", "WEB02", "WEB03"] } },
      });
      expect(Date.parse(cleanup?.startedAt ?? "")).toBeGreaterThanOrEqual(dueAt);
      expect(stack.azure.existingVmNames().filter((n) => n.endsWith("-test"))).toEqual([]);
      const drill = (await stack.store.getRun(runId))?.value;
      expect(drill?.decisions?.cleanupGrace?.extensions).toMatchObject([{ byName: olga.name, minutes: 90, reason: "look at WEB02 first" }]);
      expect(drill?.decisions?.autoCleanup).toMatchObject({ outcome: "started", runId: cleanupRunIdFor(runId) });
      expect((await stack.audit.list({ runId })).map((e) => e.action)).toEqual(expect.arrayContaining(["extend cleanup", "drill cleanup"]));
    } finally {
      await stack.stop();
    }
  });

  it("at most a week after the drill ended, and only for a drill that did not clean up after itself", () => {
    const ended = "2026-11-28T03:00:00.000Z";
    const drill = {
      runId: "run-1",
      estate: "contoso",
      mode: "test" as const,
      request: { mode: "test" as const, scope: { kind: "all" as const } },
      trigger: "drill",
      notes: [],
      status: "failed" as const,
      startedAt: ended,
      finishedAt: ended,
    };
    const now = new Date(ended);
    expect(decideCleanupExtension(drill, now, 60, 30)).toMatchObject({ ok: true, dueAt: new Date(Date.parse(ended) + 90 * 60_000) });
    expect(decideCleanupExtension(drill, now, MAX_GRACE_AFTER_END_MINUTES, 30)).toMatchObject({
      ok: false,
      status: 409,
      detail: expect.stringMatching(/at the latest/),
    });
    expect(decideCleanupExtension({ ...drill, status: "succeeded" }, now, 60, 30)).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/cleaned up after itself/),
    });
    expect(decideCleanupExtension({ ...drill, status: "running" }, now, 60, 30)).toMatchObject({ ok: false, detail: expect.stringMatching(/is running/) });
    expect(decideCleanupExtension({ ...drill, mode: "unplanned", request: { mode: "unplanned", scope: { kind: "all" } } }, now, 60, 30)).toMatchObject({
      ok: false,
    });
  });
});
