import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunPreview } from "../../../shared/runs/runPreview.js";
import { awaiting, finished, startTestApi, type TestApi } from "./httpHelpers.js";

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.stop());

const daysAgo = (days: number): string => new Date(api.sandbox.stack.clock.now().getTime() - days * 86_400_000).toISOString();

describe("POST /api/failover: validation, dry run, idempotency, one run at a time", () => {
  it("answers 400 naming the field of a request that does not validate, before anything happens", async () => {
    const writes = api.sandbox.stack.azure.stats().writes;
    const field = async (body: unknown): Promise<unknown> => {
      const response = await api.call("POST", "/api/failover", { as: "operator", body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      return response.json.field;
    };
    expect(await field({ reason: "no mode" })).toBe("mode");
    expect(await field({ mode: "sideways", reason: "bad mode" })).toBe("mode");
    expect(await field({ mode: "test" })).toBe("reason");
    expect(await field({ mode: "test", reason: "x", scope: "all" })).toBe("reason");
    expect(await field({ mode: "test", reason: "drill", scope: { tiers: ["payments"] } })).toBe("scope.tiers");
    expect(await field({ mode: "test", reason: "drill", scope: { vms: ["WEB09"] } })).toBe("scope.vms");
    expect(await field({ mode: "test", reason: "drill", scope: "some" })).toBe("scope");
    expect(await field({ mode: "unplanned", reason: "old point", recoveryPoint: { at: daysAgo(6) } })).toBe("recoveryPoint.at");
    expect(await field({ mode: "unplanned", reason: "future point", recoveryPoint: { at: daysAgo(-1) } })).toBe("recoveryPoint.at");
    expect(await field({ mode: "unplanned", reason: "bad point", recoveryPoint: "yesterday" })).toBe("recoveryPoint");
    expect(await field({ mode: "failback-prep", reason: "no point needed", recoveryPoint: "latest" })).toBe("recoveryPoint");
    expect(await field({ mode: "unplanned", reason: "timed commit", cleanupAfterMinutes: 30 })).toBe("cleanupAfterMinutes");
    expect(await field({ mode: "test", reason: "drill", surprise: true })).toBe("surprise");
    const outsideRetention = await api.call("POST", "/api/failover", {
      as: "operator",
      body: { mode: "unplanned", reason: "old point", recoveryPoint: { at: daysAgo(6) } },
    });
    expect(outsideRetention.json.detail).toMatch(/outside the 5-day retention/);
    expect((await api.call("POST", "/api/failover", { as: "operator", body: "{not json" })).status).toBe(400);
    expect((await api.call("POST", "/api/failover", { as: "operator", body: "mode=test", headers: { "content-type": "text/plain" } })).status).toBe(415);
    expect(
      (await api.call("POST", "/api/failover", { as: "operator", body: { mode: "test", reason: "key" }, headers: { "idempotency-key": "with space" } })).json
        .field,
    ).toBe("Idempotency-Key");
    expect(api.sandbox.stack.azure.stats().writes).toBe(writes);
    expect((await api.call("GET", "/api/runs", { as: "reader" })).json.runs).toEqual([]);
  });

  it("previews the exact plan of a dry run (steps in order, VMs, vaults, recovery points and age, DNS old and new, approvals) and changes nothing", async () => {
    const before = api.sandbox.stack.azure.stats();
    const response = await api.call("POST", "/api/failover", {
      as: "operator",
      body: { mode: "unplanned", scope: "all", reason: "what would happen?", dryRun: true },
    });
    expect(response.status).toBe(200);
    const preview = response.json as unknown as RunPreview;
    expect(preview).toMatchObject({ dryRun: true, mode: "unplanned", problems: [] });
    expect(preview.stages[0]).toEqual(["verify-dc"]);
    expect(preview.stages[1]).toEqual(["await-approve"]);
    expect(preview.steps.find((s) => s.id === "failover:DC01")).toMatchObject({ kind: "failover", stage: 3, dependsOn: ["await-approve"] });
    expect(preview.vms).toHaveLength(16);
    const rec = preview.vms.find((v) => v.vm === "REC01");
    expect(rec).toMatchObject({ tier: "recommendation", vault: "rsv-contoso-dr-seasia", region: "southeastasia", recoveryPoint: { type: expect.any(String) } });
    expect(rec?.recoveryPoint?.ageSeconds).toBeLessThan(30 * 60);
    expect(preview.vaults.map((v) => v.region).sort()).toEqual(["eastus", "southeastasia"]);
    const estate = api.sandbox.stack.estate;
    expect(preview.dnsChanges).toHaveLength(estate.dns.length);
    for (const change of preview.dnsChanges) {
      const record = estate.dns.find((d) => d.zoneType === change.zoneType && d.zone === change.zone && d.name === change.name);
      const live = api.sandbox.stack.azure.dnsRecord(change.zoneType, change.zone, change.name);
      expect(live?.addresses.length).toBeGreaterThan(0);
      expect(change.from).toEqual(live?.addresses);
      expect(change.to).toEqual(record?.failoverAddresses);
    }
    expect(preview.routeChanges.length).toBe(estate.routes.length);
    expect(preview.approvalsNeeded.map((a) => a.decision)).toEqual(["approve", "commit"]);
    const after = api.sandbox.stack.azure.stats();
    expect(after.writes).toBe(before.writes);
    expect(after.reads).toBeGreaterThan(before.reads);
    expect((await api.call("GET", "/api/runs", { as: "reader" })).json.runs).toEqual([]);
  });

  it("returns the same run for a retried request with the same Idempotency-Key, 422 for the key with another body, and 409 with the active run's id", async () => {
    const body = { mode: "test", scope: { tiers: ["web"] }, reason: "web drill" };
    const headers = { "idempotency-key": "drill-2026-11-25-web" };
    const first = await api.call("POST", "/api/failover", { as: "operator", body, headers });
    expect(first.status).toBe(202);
    const again = await api.call("POST", "/api/failover", { as: "operator", body, headers });
    expect(again).toMatchObject({ status: 202, json: { runId: first.json.runId, repeated: true } });
    expect(again.headers.get("location")).toBe(first.headers.get("location"));
    const changed = await api.call("POST", "/api/failover", { as: "operator", body: { ...body, scope: { tiers: ["api"] } }, headers });
    expect(changed).toMatchObject({ status: 422, json: { runId: first.json.runId } });
    // Another person's identical key is their own.
    const busy = await api.call("POST", "/api/failover", { as: "operator2", body, headers });
    expect(busy).toMatchObject({ status: 409, json: { activeRunId: first.json.runId } });
    expect((await api.call("POST", "/api/failover", { as: "operator", body: { mode: "unplanned", reason: "site down" } })).json.activeRunId).toBe(
      first.json.runId,
    );
    expect((await api.call("GET", "/api/runs", { as: "reader" })).json.runs).toHaveLength(1);

    const runId = String(first.json.runId);
    await api.waitForRun(runId, awaiting("cleanup"));
    await api.call("POST", `/api/runs/${runId}/cleanup`, { as: "operator" });
    await api.waitForRun(runId, finished);
    // The refused key was not bound to anything: once the estate is free it starts a run.
    const later = await api.call("POST", "/api/failover", { as: "operator2", body, headers });
    expect(later.status).toBe(202);
    expect(later.json.runId).not.toBe(runId);
    expect(
      (await api.call("POST", `/api/runs/${String(later.json.runId)}/cancel`, { as: "operator2", body: { reason: "only checking the key" } })).status,
    ).toBe(202);
  });
});
