import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../host/http/httpHelpers.js";

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.stop());

describe("POST /api/failover, mode failback", () => {
  it("answers 400 naming the field of a failback request that does not validate, before anything happens", async () => {
    const field = async (body: Record<string, unknown>): Promise<unknown> => {
      const response = await api.call("POST", "/api/failover", { as: "operator", body: { reason: "site is back", ...body } });
      expect(response.status, JSON.stringify(body)).toBe(400);
      return response.json.field;
    };
    expect(await field({ mode: "failback", failbackPoint: "Latest" })).toBe("failbackPoint");
    expect(await field({ mode: "failback", recoveryPoint: "latest" })).toBe("recoveryPoint");
    expect(await field({ mode: "failback", failoverRunId: "../other" })).toBe("failoverRunId");
    expect(await field({ mode: "failback", scope: { tiers: ["payments"] } })).toBe("scope.tiers");
    expect(await field({ mode: "test", failoverRunId: "run-1" })).toBe("failoverRunId");
    expect(await field({ mode: "unplanned", failbackPoint: "CrashConsistent" })).toBe("failbackPoint");
    expect(await field({ mode: "failback", failoverRunId: "run-nobody-made" })).toBe("failoverRunId");
    expect(api.sandbox.stack.azure.stats().writes).toBe(0);
  });

  it("answers 409 naming failoverRunId when the estate has no failover to fail back from, dry run or not", async () => {
    for (const dryRun of [true, false]) {
      const response = await api.call("POST", "/api/failover", { as: "operator", body: { mode: "failback", reason: "site is back", dryRun } });
      expect(response).toMatchObject({
        status: 409,
        json: { field: "failoverRunId", detail: expect.stringMatching(/^failoverRunId: .*no succeeded unplanned failover run/) },
      });
    }
    const audit = await api.sandbox.stack.audit.list();
    expect(audit.some((e) => e.action === "start failback run" && e.result === "refused 409")).toBe(true);
    expect(api.sandbox.stack.azure.stats().writes).toBe(0);
  });
});
