import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awaiting, clientPrincipalHeader, startTestApi, type TestApi } from "../host/http/httpHelpers.js";

// Behind App Service authentication the identity comes from x-ms-client-principal (its claims).
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ settings: { AUTH_APP_SERVICE_PRINCIPAL: "trust" } });
});
afterAll(() => api.stop());

const OID = "11111111-2222-4333-8444-555555555555";
const TENANT = "00000000-0000-4000-8000-00000000d0c5";
const principal = (oid: string, tenant: string, name: string): string => clientPrincipalHeader({ oid, tenant, name, roles: ["operator", "approver"] });

describe("self-approval behind App Service authentication", () => {
  it("knows the requester again whatever spelling of the object id and tenant the principal carries", async () => {
    const requester = { "x-ms-client-principal": principal(OID, TENANT, "paula@contoso.com") };
    const started = await api.call("POST", "/api/failover", {
      headers: requester,
      body: { mode: "unplanned", scope: { tiers: ["identity"] }, reason: "site lost" },
    });
    expect(started.status).toBe(202);
    const runId = String(started.json.runId);
    await api.waitForRun(runId, awaiting("approve"));
    const sameOne = { "x-ms-client-principal": principal(`{${OID.toUpperCase()}}`, TENANT.toUpperCase(), "paula@contoso.com") };
    expect(await api.call("POST", `/api/runs/${runId}/approve`, { headers: sameOne })).toMatchObject({
      status: 403,
      json: { detail: expect.stringMatching(/another person/) },
    });
    const someoneElse = { "x-ms-client-principal": principal("99999999-2222-4333-8444-555555555555", TENANT, "pete@contoso.com") };
    expect((await api.call("POST", `/api/runs/${runId}/approve`, { headers: someoneElse })).status).toBe(202);
  });
});
