import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientPrincipalHeader, startTestApi, type TestApi } from "../host/http/httpHelpers.js";

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ browserSignIn: true });
});
afterAll(() => api.stop());

/** A raw GET with exactly these headers (fetch adds Sec-Fetch-Mode: cors of its own), redirects not followed. */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${api.sandbox.url}${path}`, { headers }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

const NAVIGATE = { "sec-fetch-mode": "navigate", accept: "text/html,application/xhtml+xml,*/*;q=0.8" };

async function signedInCookie(roles: readonly string[]): Promise<string> {
  const url = new URL(api.sandbox.signInUrl(roles, "/api/runs"));
  const answer = await get(url.pathname + url.search, NAVIGATE);
  expect(answer.status).toBe(302);
  expect(answer.headers.location).toBe("/api/runs");
  const cookie = String(answer.headers["set-cookie"] ?? "");
  expect(cookie).toMatch(/^AppServiceAuthSession=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
  return cookie.split(";")[0] ?? "";
}

describe("a browser without a session is sent to sign in; a script gets its 401", () => {
  it("redirects a page navigation to App Service's Entra ID login, coming back to the page asked for", async () => {
    const page = await get("/api/runs/run-20260101-000000-abcdef/report?x=1", NAVIGATE);
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe(`/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent("/api/runs/run-20260101-000000-abcdef/report?x=1")}`);
    expect(page.headers["cache-control"]).toBe("no-store");
    // A browser too old for Fetch Metadata is known by asking for HTML first.
    expect((await get("/api/runs", { accept: "text/html,*/*" })).status).toBe(302);
  });

  it("keeps answering 401 to scripts and to the console's own fetches", async () => {
    expect((await get("/api/runs")).status).toBe(401);
    expect((await get("/api/runs", { accept: "*/*" })).status).toBe(401);
    expect((await get("/api/runs", { "sec-fetch-mode": "cors", accept: "text/html" })).status).toBe(401);
    expect((await api.call("GET", "/api/runs")).status).toBe(401);
    // A bad token is refused, never turned into a redirect loop for a script.
    expect((await get("/api/runs", { authorization: "Bearer nonsense" })).status).toBe(401);
  });

  it("audits the redirected request as a refused 401", async () => {
    await get("/api/audit", NAVIGATE);
    const { json } = await api.call("GET", "/api/audit?action=read%20audit", { as: "reader" });
    const entries = json.entries as { who: string; result: string }[];
    expect(entries.some((e) => e.who === "unknown caller" && e.result === "refused 401")).toBe(true);
  });
});

describe("sandbox sign-in (App Service authentication's stand-in)", () => {
  it("signs a browser in as the role its printed URL names, and the API sees that person and role", async () => {
    const reader = await signedInCookie(["reader"]);
    expect((await get("/api/runs", { ...NAVIGATE, cookie: reader })).status).toBe(200);
    const refused = await api.call("POST", "/api/killswitch", { headers: { cookie: reader }, body: { on: true, reason: "test" } });
    expect(refused.status).toBe(403);
    const me = await get("/.auth/me", { cookie: reader });
    expect(me.status).toBe(200);
  });

  it("refuses a sign-in URL it did not print, and a forged cookie or client-sent principal header signs nobody in", async () => {
    const good = new URL(api.sandbox.signInUrl(["reader"]));
    good.searchParams.set("role", "admin");
    expect((await get(good.pathname + good.search, NAVIGATE)).status).toBe(403);
    const reader = await signedInCookie(["reader"]);
    const forged = reader.replace(/^AppServiceAuthSession=reader\./, "AppServiceAuthSession=admin.");
    expect((await get("/api/runs", { cookie: forged })).status).toBe(401);
    const header = clientPrincipalHeader({ oid: "00000000-0000-4000-8000-000000000001", name: "mallory@contoso.com", roles: ["admin"] });
    expect((await get("/api/runs", { "x-ms-client-principal": header })).status).toBe(401);
  });

  it("only ever redirects to a path of its own after sign-in or sign-out", async () => {
    const url = new URL(api.sandbox.signInUrl(["operator"], "https://evil.example/"));
    expect((await get(url.pathname + url.search, NAVIGATE)).headers.location).toBe("/api/console");
    const out = await get("/.auth/logout?post_login_redirect_uri=//evil.example", NAVIGATE);
    expect(out.status).toBe(302);
    expect(out.headers.location).toBe("/api/console");
    expect(String(out.headers["set-cookie"])).toContain("Max-Age=0");
  });
});
