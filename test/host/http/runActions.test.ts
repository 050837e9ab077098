import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FaultPlan } from "../../../local/simulated-azure/simulatedAzure.js";
import type { RunPreview } from "../../../shared/runs/runPreview.js";
import { awaiting, finished, startTestApi, type TestApi } from "./httpHelpers.js";

const faults: FaultPlan = { brokenDomainTrust: ["API02"] };
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ faults });
});
afterAll(() => api.stop());

const scope = { tiers: ["identity", "edge", "api"] };

describe("run actions over HTTP: approve, commit, cancel, resume, failback preparation", () => {
  it("offers failback preparation only once ASR can reprotect", async () => {
    const preview = await api.call("POST", "/api/failover", {
      as: "operator",
      body: { mode: "failback-prep", scope: { vms: ["DC01"] }, reason: "can we fail back?", dryRun: true },
    });
    expect(preview.status).toBe(200);
    expect((preview.json as unknown as RunPreview).problems).toEqual([expect.objectContaining({ field: "reprotect", vm: "DC01" })]);
    const refused = await api.call("POST", "/api/failover", { as: "operator", body: { mode: "failback-prep", scope: { vms: ["DC01"] }, reason: "fail back" } });
    expect(refused).toMatchObject({ status: 409, json: { title: "Failback preparation not possible now" } });
    expect(api.sandbox.stack.azure.stats().writes).toBe(0);
  });

  it("waits for another person's approval, stops at a failed check, resumes once it is fixed, and commits on request", async () => {
    const started = await api.call("POST", "/api/failover", { as: "opApprover", body: { mode: "unplanned", scope, reason: "primary site lost power" } });
    expect(started.status).toBe(202);
    const runId = String(started.json.runId);
    const waiting = await api.waitForRun(runId, awaiting("approve"));
    expect(waiting.steps.find((s) => s.id === "failover:DC01")?.status).toBe("pending");
    expect(api.sandbox.events.some((e) => e.kind === "approvalNeeded" && e.runId === runId)).toBe(true);

    expect(await api.call("POST", `/api/runs/${runId}/approve`, { as: "opApprover" })).toMatchObject({
      status: 403,
      json: { detail: expect.stringMatching(/another person/) },
    });
    expect((await api.call("POST", `/api/runs/${runId}/commit`, { as: "approver" })).status).toBe(409);
    expect((await api.call("POST", `/api/runs/${runId}/resume`, { as: "operator" })).status).toBe(409);
    const approved = await api.call("POST", `/api/runs/${runId}/approve`, { as: "approver" });
    expect(approved).toMatchObject({ status: 202, json: { runId, decision: "approve", byName: "anna.approver@contoso.com" } });
    expect(approved.headers.get("location")).toMatch(new RegExp(`/api/runs/${runId}$`));

    const failed = await api.waitForRun(runId, finished);
    expect(failed).toMatchObject({ outcome: "failed", failureReason: expect.stringMatching(/checks:API02/) });
    expect((await api.call("POST", `/api/runs/${runId}/cancel`, { as: "operator", body: { reason: "too late" } })).status).toBe(409);

    faults.brokenDomainTrust = []; // someone rejoined API02 to the domain
    const resumed = await api.call("POST", `/api/runs/${runId}/resume`, { as: "operator" });
    expect(resumed).toMatchObject({ status: 202, json: { retried: ["checks:API02"] } });
    await api.waitForRun(runId, awaiting("commit"));
    const committed = await api.call("POST", `/api/runs/${runId}/commit`, { as: "approver" });
    expect(committed.status).toBe(202);
    const done = await api.waitForRun(runId, finished);
    expect(done.outcome).toBe("succeeded");
    expect(api.sandbox.stack.azure.protectedItem("API02").protectionState).toBe("UnplannedFailoverCommitted");
    expect(api.sandbox.stack.azure.stats().failoverCalls["API02"]).toBe(1);

    const entries = (await api.call("GET", `/api/audit?runId=${runId}&limit=1000`, { as: "reader" })).json.entries as {
      who: string;
      action: string;
      result: string;
    }[];
    for (const [action, result] of [
      ["approve", "refused 403"],
      ["approve", "accepted"],
      ["resume", "accepted"],
      ["commit", "accepted"],
      ["commit", "refused 409"],
    ]) {
      expect(
        entries.some((e) => e.action === action && e.result === result),
        `${action} ${result}`,
      ).toBe(true);
    }
    expect(entries.some((e) => e.action === "step guestChecks API02" && e.result === "failed")).toBe(true);
    expect(entries.some((e) => e.action === "run unplanned" && e.result === "succeeded")).toBe(true);
  });

  it("prepares failback of committed VMs after approval, and refuses while the on-premises site is unreachable", async () => {
    faults.onPremisesUnreachable = true;
    const blocked = await api.call("POST", "/api/failover", {
      as: "operator",
      body: { mode: "failback-prep", scope: { tiers: ["identity"] }, reason: "site is back" },
    });
    expect(blocked).toMatchObject({ status: 409, json: { detail: expect.stringMatching(/not reachable/) } });
    faults.onPremisesUnreachable = false;

    const preview = (
      await api.call("POST", "/api/failover", {
        as: "operator",
        body: { mode: "failback-prep", scope: { tiers: ["identity"] }, reason: "site is back", dryRun: true },
      })
    ).json as unknown as RunPreview;
    expect(preview.problems).toEqual([]);
    expect(preview.vms.map((v) => v.reprotect?.possible)).toEqual([true, true]);
    expect(preview.vaults[0]?.onPremises).toMatchObject({ reachable: true });
    expect(preview.approvalsNeeded.map((a) => a.decision)).toEqual(["approve"]);

    const started = await api.call("POST", "/api/failover", {
      as: "operator",
      body: { mode: "failback-prep", scope: { tiers: ["identity"] }, reason: "site is back" },
    });
    const runId = String(started.json.runId);
    await api.waitForRun(runId, awaiting("approve"));
    await api.call("POST", `/api/runs/${runId}/approve`, { as: "approver" });
    expect((await api.waitForRun(runId, finished)).outcome).toBe("succeeded");
    // Reprotected: replication back to vSphere has started (its initial replication runs before PlannedFailover is offered).
    expect(api.sandbox.stack.azure.protectedItem("DC01")).toMatchObject({ protectionState: "InitialReplicationInProgress", activeLocation: "Primary" });
    expect(api.sandbox.stack.azure.misuse).toEqual([]);
  });

  it("cancels a run on request (a reason is required), saying what was in flight", async () => {
    const started = await api.call("POST", "/api/failover", { as: "operator", body: { mode: "test", scope: { tiers: ["web"] }, reason: "web drill" } });
    const runId = String(started.json.runId);
    expect(await api.call("POST", `/api/runs/${runId}/cancel`, { as: "operator", body: {} })).toMatchObject({ status: 400, json: { field: "reason" } });
    const cancelled = await api.call("POST", `/api/runs/${runId}/cancel`, { as: "operator", body: { reason: "change freeze" } });
    expect(cancelled).toMatchObject({ status: 202, json: { status: "cancelled", inFlight: expect.any(Array), next: expect.stringMatching(/cleanup/) } });
    const run = await api.waitForRun(runId, finished);
    expect(run).toMatchObject({ outcome: "cancelled", failureReason: expect.stringMatching(/change freeze/) });
    await api.sandbox.idle();
    // Whatever test VMs the cancelled drill left are swept by cleanup.
    const sweep = await api.call("POST", `/api/runs/${runId}/cleanup`, { as: "operator" });
    expect([200, 202]).toContain(sweep.status);
    if (sweep.status === 202) await api.waitForRun(String(sweep.json.runId), finished);
    await api.sandbox.idle();
    expect(api.sandbox.stack.azure.existingVmNames().filter((n) => n.endsWith("-test"))).toEqual([]);
    expect((await api.call("POST", "/api/runs/run-unknown/cancel", { as: "operator", body: { reason: "no such run" } })).status).toBe(404);
  });
});
