import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../host/http/httpHelpers.js";

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ browserSignIn: true });
});
afterAll(() => api.stop());

describe("the console's routes", () => {
  it("serves the page with a policy that lets only its own script run, and its bundle to anyone", async () => {
    const page = await api.call("GET", "/api/console", { as: "reader" });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toMatch(/default-src 'none'; script-src 'self';.*connect-src 'self'.*frame-ancestors 'none'/);
    expect(page.text).toContain('<script type="module" src="/api/console/assets/console.js"></script>');
    expect((await api.call("GET", "/api/console/runs/run-20260101T000000Z-abcdef", { as: "reader" })).text).toBe(page.text);
    const script = await api.call("GET", "/api/console/assets/console.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(script.text).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs|jsdelivr)/);
    expect(script.headers.get("cache-control")).toBe("no-cache");
    // The first view's three downloads start together: the script, the chunk it imports, and the state it draws.
    expect(page.text).toContain('<link rel="preload" href="/api/console/state" as="fetch" crossorigin="anonymous">');
    const chunk = /<link rel="modulepreload" href="\/api\/console\/assets\/(chunk-[A-Z0-9]+\.js)">/.exec(page.text)?.[1];
    expect(chunk).toBeDefined();
    const shared = await api.call("GET", `/api/console/assets/${chunk}`);
    expect(shared.status).toBe(200);
    // Named by their content: a browser keeps them, and a new build names them anew.
    expect(shared.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    for (const name of ["..%2Fpackage.json", "index.html", "nothing.js", "%2E%2E%2Fhost.json"])
      expect((await api.call("GET", `/api/console/assets/${name}`)).status).toBe(404);
  });

  it("answers the console's state: the person and roles, the estate in dependency order, the kill switch, the incident", async () => {
    const { status, json } = await api.call("GET", "/api/console/state", { as: "approver" });
    expect(status).toBe(200);
    expect(json.me).toMatchObject({ name: "anna.approver@contoso.com", roles: ["approver"] });
    const estate = json.estate as { tiers: { name: string; vms: { name: string }[] }[] };
    expect(estate.tiers.map((t) => t.name)).toEqual(["identity", "edge", "api", "web", "recommendation"]);
    expect(estate.tiers.flatMap((t) => t.vms).length).toBe(16);
    expect(json.killSwitch).toEqual({ on: false });
    expect(json.incident).toMatchObject({ incidentId: null, waitingFor: [] });
    expect((await api.call("GET", "/api/console/state")).status).toBe(401);
  });

  it("serves a kept health report as its page, and the history with the health checks", async () => {
    await fetch(`${api.sandbox.url}/admin/functions/healthCheck`, {
      method: "POST",
      headers: { "x-functions-key": api.sandbox.masterKey, "content-type": "application/json" },
      body: "{}",
    });
    const history = await api.call("GET", "/api/console/history", { as: "reader" });
    const checks = history.json.healthChecks as { reportId: string }[];
    expect(checks.length).toBe(1);
    const page = await api.call("GET", `/api/health/${encodeURIComponent(checks[0]?.reportId ?? "")}/report`, { as: "reader" });
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<h1>Health check: contoso-vsphere/);
    expect((await api.call("GET", "/api/health/nope/report", { as: "reader" })).status).toBe(404);
    expect((await api.call("GET", "/api/health/%3Cscript%3E/report", { as: "reader" })).status).toBe(400);
  });
});
