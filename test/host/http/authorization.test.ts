import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevIdentity } from "../../../local/devIdentity.js";
import { PEOPLE, startTestApi, type Person, type TestApi } from "./httpHelpers.js";

// One sandbox per test file: a process has one AppRoot (useAppRoot).
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.stop());

/** Every endpoint of the run API, the role it needs, and people who lack it. */
const ENDPOINTS: readonly { method: string; path: string; role: string; lacking: Person[]; body?: unknown }[] = [
  { method: "GET", path: "/api/runs", role: "reader", lacking: ["nobody"] },
  { method: "GET", path: "/api/runs/run-x", role: "reader", lacking: ["nobody"] },
  { method: "GET", path: "/api/runs/run-x/report", role: "reader", lacking: ["nobody"] },
  { method: "GET", path: "/api/runs/run-x/round-trip", role: "reader", lacking: ["nobody"] },
  { method: "GET", path: "/api/runs/run-x/round-trip/report", role: "reader", lacking: ["nobody"] },
  { method: "GET", path: "/api/audit", role: "reader", lacking: ["nobody"] },
  { method: "POST", path: "/api/failover", role: "operator", lacking: ["reader", "approver", "nobody"], body: { mode: "test", reason: "drill" } },
  { method: "POST", path: "/api/runs/run-x/cleanup", role: "operator", lacking: ["reader", "approver"] },
  { method: "POST", path: "/api/runs/run-x/cancel", role: "operator", lacking: ["reader", "approver"], body: { reason: "stop it" } },
  { method: "POST", path: "/api/runs/run-x/resume", role: "operator", lacking: ["reader", "approver"] },
  { method: "POST", path: "/api/runs/run-x/approve", role: "approver", lacking: ["reader", "operator"] },
  { method: "POST", path: "/api/runs/run-x/commit", role: "approver", lacking: ["reader", "operator"] },
  { method: "POST", path: "/api/incidents/approve", role: "approver", lacking: ["reader", "operator"] },
  { method: "POST", path: "/api/killswitch", role: "admin", lacking: ["reader", "operator", "approver"], body: { on: true, reason: "maintenance" } },
];

describe("identity and roles on every endpoint", () => {
  it("answers 401 to a missing, forged, foreign or expired token and 403 to a missing role, and audits each refusal", async () => {
    const forger = await createDevIdentity(); // same issuer and audience, another key set
    const forged = await forger.issueToken({ name: "mallory@contoso.com", roles: ["admin"] });
    const foreign = await api.sandbox.identity.issueToken({ name: "eve@fabrikam.com", roles: ["admin"], audience: "api://someone-else" });
    const otherTenant = await api.sandbox.identity.issueToken({
      name: "eve@fabrikam.com",
      roles: ["admin"],
      issuer: "https://login.microsoftonline.com/another-tenant/v2.0",
    });
    const expired = await api.sandbox.identity.issueToken({ name: "old@contoso.com", roles: ["admin"], expiresIn: "-10m" });
    for (const endpoint of ENDPOINTS) {
      const { method, path, body } = endpoint;
      expect((await api.call(method, path, { body })).status, `${method} ${path} without a token`).toBe(401);
      for (const token of [forged, foreign, otherTenant, expired, "not.a.token"]) {
        expect((await api.call(method, path, { body, headers: { authorization: `Bearer ${token}` } })).status, `${method} ${path} with a bad token`).toBe(401);
      }
      for (const person of endpoint.lacking) {
        const refused = await api.call(method, path, { as: person, body });
        expect(refused.status, `${method} ${path} as ${person}`).toBe(403);
        expect(refused.json.detail).toContain(endpoint.role);
      }
    }
    const audit = (await api.call("GET", "/api/audit?limit=1000", { as: "reader" })).json.entries as { who: string; result: string }[];
    expect(audit.filter((e) => e.result === "refused 401")).toHaveLength(ENDPOINTS.length * 6);
    expect(audit.filter((e) => e.result === "refused 403")).toHaveLength(ENDPOINTS.reduce((n, e) => n + e.lacking.length, 0));
    expect(audit.some((e) => e.result === "refused 403" && e.who === PEOPLE.nobody.name)).toBe(true);
  });

  it("lets an admin do what every other role does", async () => {
    expect((await api.call("GET", "/api/runs", { as: "admin" })).status).toBe(200);
    expect((await api.call("POST", "/api/failover", { as: "admin", body: { mode: "test", reason: "admin dry run", dryRun: true } })).status).toBe(200);
    expect((await api.call("POST", "/api/runs/run-x/approve", { as: "admin" })).status).toBe(404);
  });
});

describe("App Service authentication principal when not configured", () => {
  it("ignores x-ms-client-principal: without App Service authentication in front anyone could write it", async () => {
    const header = Buffer.from(
      JSON.stringify({
        auth_typ: "aad",
        claims: [
          { typ: "oid", val: "x" },
          { typ: "roles", val: "admin" },
        ],
      }),
    ).toString("base64");
    expect((await api.call("GET", "/api/runs", { headers: { "x-ms-client-principal": header } })).status).toBe(401);
  });
});
