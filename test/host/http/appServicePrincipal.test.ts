import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientPrincipalHeader, startTestApi, type TestApi } from "./httpHelpers.js";

let trusting: TestApi;

beforeAll(async () => {
  trusting = await startTestApi({ settings: { AUTH_APP_SERVICE_PRINCIPAL: "trust" } });
});
afterAll(() => trusting.stop());

const principal = (roles: string[]): string => clientPrincipalHeader({ oid: "11111111-2222-4333-8444-555555555555", name: "paula@contoso.com", roles });

describe("App Service authentication principal (AUTH_APP_SERVICE_PRINCIPAL=trust)", () => {
  it("takes the validated identity and roles from x-ms-client-principal, and still refuses a missing role or a malformed header", async () => {
    expect((await trusting.call("GET", "/api/runs", { headers: { "x-ms-client-principal": principal(["reader"]) } })).status).toBe(200);
    const refused = await trusting.call("POST", "/api/killswitch", {
      body: { on: true, reason: "test" },
      headers: { "x-ms-client-principal": principal(["reader"]) },
    });
    expect(refused.status).toBe(403);
    expect((await trusting.call("GET", "/api/runs", { headers: { "x-ms-client-principal": "bm90IGpzb24=" } })).status).toBe(401);
    // A bearer token, when sent, is what counts.
    expect(
      (await trusting.call("GET", "/api/runs", { headers: { authorization: "Bearer forged", "x-ms-client-principal": principal(["admin"]) } })).status,
    ).toBe(401);
    const audit = (await trusting.call("GET", "/api/audit", { as: "reader" })).json.entries as { who: string; result: string }[];
    expect(audit.some((e) => e.who === "paula@contoso.com" && e.result === "refused 403")).toBe(true);
  });
});
