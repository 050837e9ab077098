import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awaiting, finished, startTestApi, type TestApi } from "./httpHelpers.js";

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.stop());

describe("a test-failover drill over HTTP, from start to cleanup", () => {
  it("starts with 202 like an ARM operation, is followed to its cleanup gate, cleaned up on request, and leaves nothing behind", async () => {
    const started = await api.call("POST", "/api/failover", { as: "operator", body: { mode: "test", scope: "all", reason: "quarterly DR drill" } });
    expect(started.status).toBe(202);
    const runId = String(started.json.runId);
    expect(started.headers.get("location")).toBe(`${api.sandbox.url}/api/runs/${runId}`);
    expect(Number(started.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(started.json).toMatchObject({ status: "running", mode: "test", links: { run: `/api/runs/${runId}`, report: `/api/runs/${runId}/report` } });

    // Followed through the Location: every tier comes up in the isolated network, then the drill waits.
    const followed = await fetch(started.headers.get("location") ?? "", { headers: { authorization: `Bearer ${await api.token("reader")}` } });
    expect(followed.status).toBe(200);
    const ready = await api.waitForRun(runId, awaiting("cleanup"));
    expect(ready.outcome).toBe("running");
    expect(ready.steps.filter((s) => s.kind === "tierReady").every((s) => s.status === "succeeded")).toBe(true);
    // One DC of two goes into the isolated network (drill.domainController): 15 test VMs for 16 VMs.
    expect(api.sandbox.stack.azure.existingVmNames().filter((n) => n.endsWith("-test"))).toHaveLength(15);
    expect(ready.rtoSeconds).toBeLessThanOrEqual(ready.rtoTargetSeconds);

    // A reader may look but not clean up; an operator may.
    expect((await api.call("POST", `/api/runs/${runId}/cleanup`, { as: "reader" })).status).toBe(403);
    const cleanup = await api.call("POST", `/api/runs/${runId}/cleanup`, { as: "operator" });
    expect(cleanup).toMatchObject({ status: 202, json: { runId, decision: "cleanup" } });
    expect((await api.call("POST", `/api/runs/${runId}/cleanup`, { as: "operator2" })).status).toBe(200);

    const done = await api.waitForRun(runId, finished);
    expect(done.outcome).toBe("succeeded");
    expect(done.steps.every((s) => s.status === "succeeded")).toBe(true);

    // Nothing the drill created is left in simulated Azure, and production was never touched.
    await api.sandbox.idle();
    const azure = api.sandbox.stack.azure;
    expect(azure.existingVmNames().filter((n) => n.endsWith("-test"))).toEqual([]);
    // After a cleanup ASR keeps testFailoverState MarkedForDeletion (recorded); what matters is that a new drill or failover is allowed.
    for (const vm of api.sandbox.stack.estate.vms) {
      expect(azure.protectedItem(vm.name)).toMatchObject({
        protectionState: "Protected",
        activeLocation: "Primary",
        allowedOperations: ["UnplannedFailover", "TestFailover", "DisableProtection"],
      });
    }
    expect(Object.keys(azure.stats().byOperation).filter((op) => /RecordSets_|Routes_CreateOrUpdate/.test(op))).toEqual([]);
    expect(azure.misuse).toEqual([]);

    // Every step outcome and every decision is in the audit trail, readable through the API.
    // The run was followed by polling, and every request is audited too: read the whole trail.
    const audit = await api.call("GET", `/api/audit?runId=${runId}&limit=1000`, { as: "reader" });
    expect(audit.json.truncated).toBeUndefined();
    expect(audit.status).toBe(200);
    const entries = audit.json.entries as { who: string; action: string; result: string }[];
    expect(entries.filter((e) => e.who === "system" && e.action.startsWith("step failover") && e.result === "done")).toHaveLength(15);
    expect(entries.filter((e) => e.action.startsWith("step cleanupTestFailover") && e.result === "done")).toHaveLength(15);
    expect(entries.some((e) => e.who === "otto.operator@contoso.com" && e.action === "cleanup" && e.result === "accepted")).toBe(true);
    expect(entries.some((e) => e.who === "rita.reader@contoso.com" && e.action === "cleanup run" && e.result === "refused 403")).toBe(true);
    expect(entries.some((e) => e.action === "run test" && e.result === "succeeded")).toBe(true);

    // The run page and the run list.
    const page = await api.call("GET", `/api/runs/${runId}/report`, { as: "reader" });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(page.text).toContain("Earlier drills");
    const list = await api.call("GET", "/api/runs", { as: "reader" });
    expect((list.json.runs as { runId: string; status: string }[]).find((r) => r.runId === runId)?.status).toBe("succeeded");
  });
});
