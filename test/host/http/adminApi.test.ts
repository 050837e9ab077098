import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "./httpHelpers.js";

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ settings: { DRILL_SCOPE: "tiers:web", DRILL_CLEANUP_AFTER_MINUTES: "30" } });
});
afterAll(() => api.stop());

const admin = (name: string, headers: Record<string, string>, body = "{}") =>
  fetch(`${api.sandbox.url}/admin/functions/${name}`, { method: "POST", headers, body });
const json = { "content-type": "application/json" };

describe("the sandbox's /admin/functions API: master key, own origin, JSON only", () => {
  it("refuses a call without the master key, or with another key, and starts nothing", async () => {
    expect((await admin("scheduledDrill", json)).status).toBe(401);
    expect((await admin("scheduledDrill", { ...json, "x-functions-key": api.sandbox.identity.alertKey })).status).toBe(401);
    expect((await api.call("GET", "/api/runs", { as: "reader" })).json.runs).toEqual([]);
  });

  it("refuses what a web page can send: a simple text/plain POST, or any request from another origin", async () => {
    const key = { "x-functions-key": api.sandbox.masterKey };
    // A form or fetch with mode no-cors from any page: text/plain, no key, a foreign Origin.
    const fromPage = await admin("scheduledDrill", { "content-type": "text/plain", origin: "https://attacker.example" });
    expect(fromPage.status).toBe(403);
    expect((await admin("scheduledDrill", { ...json, ...key, origin: "https://attacker.example" })).status).toBe(403);
    expect((await admin("scheduledDrill", { ...json, ...key, origin: "null" })).status).toBe(403);
    expect((await admin("scheduledDrill", { "content-type": "text/plain", ...key })).status).toBe(415);
    expect((await admin("scheduledDrill", { "content-type": "application/x-www-form-urlencoded", ...key })).status).toBe(415);
    expect((await api.call("GET", "/api/runs", { as: "reader" })).json.runs).toEqual([]);
  });

  it("answers an unknown function with 404 without listing the functions, and a bad body with 400", async () => {
    const key = { ...json, "x-functions-key": api.sandbox.masterKey };
    const unknown = await admin("noSuchFunction", key);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).not.toMatch(/scheduledDrill|healthCheck|incidentCheck/);
    expect((await admin("scheduledDrill", key, "{not json")).status).toBe(400);
    expect((await admin("scheduledDrill", key, '{"input":{"nested":true}}')).status).toBe(400);
    expect((await admin("scheduledDrill", key, "[]")).status).toBe(400);
  });

  it("fires the function with the master key and the sandbox's own origin (202, as the Functions host answers)", async () => {
    const fired = await admin("scheduledDrill", { ...json, "x-functions-key": api.sandbox.masterKey, origin: api.sandbox.url });
    expect(fired.status).toBe(202);
    // The timer function ran: it audited its decision (no health report vouches for the estate yet, so it skipped).
    const decisions = (await api.sandbox.stack.root.audit.list()).filter((e) => e.action === "scheduled drill");
    expect(decisions).toMatchObject([{ who: "system", result: "skipped", detail: expect.stringMatching(/no health report yet/) }]);
  });
});
