import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalGuid, samePrincipal } from "../../shared/auth/principalId.js";
import { awaiting, PEOPLE, startTestApi, type TestApi } from "../host/http/httpHelpers.js";

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.stop());

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

describe("token lifetime claims", () => {
  it("refuses a token without exp or issued in the future, and allows a small clock skew", async () => {
    const reader = { name: PEOPLE.reader.name, roles: PEOPLE.reader.roles, oid: PEOPLE.reader.oid };
    const everlasting = await api.sandbox.identity.issueToken({ ...reader, expiresIn: null });
    const fromTheFuture = await api.sandbox.identity.issueToken({ ...reader, issuedAt: nowSeconds() + 600 });
    const slightlyAhead = await api.sandbox.identity.issueToken({ ...reader, issuedAt: nowSeconds() + 20 });
    expect((await api.call("GET", "/api/runs", { headers: bearer(everlasting) })).status).toBe(401);
    expect((await api.call("GET", "/api/runs", { headers: bearer(fromTheFuture) })).status).toBe(401);
    expect((await api.call("GET", "/api/runs", { headers: bearer(slightlyAhead) })).status).toBe(200);
  });
});

describe("self-approval compares canonical object ids", () => {
  it("refuses the requester's approval whatever spelling of the object id the token carries", async () => {
    const started = await api.call("POST", "/api/failover", {
      as: "opApprover",
      body: { mode: "unplanned", scope: { tiers: ["identity"] }, reason: "site lost" },
    });
    expect(started.status).toBe(202);
    const runId = String(started.json.runId);
    await api.waitForRun(runId, awaiting("approve"));
    const me = PEOPLE.opApprover;
    for (const spelling of [me.oid.toUpperCase(), `{${me.oid}}`, `{${me.oid.toUpperCase()}}`, ` ${me.oid} `]) {
      const token = await api.sandbox.identity.issueToken({ name: me.name, roles: me.roles, oid: spelling });
      const refused = await api.call("POST", `/api/runs/${runId}/approve`, { headers: bearer(token) });
      expect(refused, `oid ${JSON.stringify(spelling)}`).toMatchObject({ status: 403, json: { detail: expect.stringMatching(/another person/) } });
    }
    expect((await api.call("POST", `/api/runs/${runId}/approve`, { as: "approver" })).status).toBe(202);

    // The run's page, like every HTML answer, carries a content security policy and nosniff.
    const page = await api.call("GET", `/api/runs/${runId}/report`, { as: "reader" });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("content-security-policy")).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    const missing = await api.call("GET", "/api/runs/run-none/report", { as: "reader" });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("principal ids", () => {
  it("canonicalises GUIDs and compares tenants only when both ids carry one", () => {
    expect(canonicalGuid(" {0A1B2C3D-0000-4000-8000-00000000ABCD} ")).toBe("0a1b2c3d-0000-4000-8000-00000000abcd");
    const oid = "0a1b2c3d-0000-4000-8000-00000000abcd";
    const tenant = "00000000-0000-4000-8000-00000000d0c5";
    const otherTenant = "11111111-0000-4000-8000-00000000d0c5";
    expect(samePrincipal(`${oid}.${tenant}`, `{${oid.toUpperCase()}}.${tenant.toUpperCase()}`)).toBe(true);
    expect(samePrincipal(`${oid}.${tenant}`, `${oid}.${otherTenant}`)).toBe(false);
    expect(samePrincipal(oid, `${oid}.${tenant}`)).toBe(true);
    expect(samePrincipal(`${oid}.${tenant}`, `0a1b2c3d-0000-4000-8000-00000000abce.${tenant}`)).toBe(false);
  });
});
