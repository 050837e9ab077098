import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "./httpHelpers.js";

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.stop());

type AuditRow = { who: string; action: string; result: string; detail?: string; runId?: string };
const auditRows = async (): Promise<AuditRow[]> => (await api.call("GET", "/api/audit?limit=1000", { as: "reader" })).json.entries as AuditRow[];
const huge = "x".repeat(40_000);
const validStart = { mode: "test", scope: { tiers: ["web"] }, reason: "monthly drill", dryRun: true };

describe("request limits: every refusal is a 4xx that names the field, audited with a bounded detail", () => {
  it("refuses a 40K-character field name in /api/failover, naming it shortened", async () => {
    const refused = await api.call("POST", "/api/failover", { as: "operator", body: { ...validStart, [huge]: 1 } });
    expect(refused.status).toBe(400);
    expect(String(refused.json.field).length).toBeLessThan(200);
    expect(refused.json.field).toMatch(/^x+… \(39920 more characters\)$/);
    expect(refused.text.length).toBeLessThan(2_000);
    const row = (await auditRows()).find((e) => e.action === "start run" && e.result === "refused 400");
    expect(row?.detail).toMatch(/unknown field/);
    expect(row?.detail?.length).toBeLessThanOrEqual(1_100);
  });

  it("refuses a 40K-character reason on a start and on a cancel, naming reason", async () => {
    expect(await api.call("POST", "/api/failover", { as: "operator", body: { ...validStart, reason: huge } })).toMatchObject({
      status: 400,
      json: { field: "reason", detail: expect.stringMatching(/at most 500/) },
    });
    expect(await api.call("POST", "/api/runs/run-unknown/cancel", { as: "operator", body: { reason: huge } })).toMatchObject({
      status: 400,
      json: { field: "reason" },
    });
  });

  it("bounds the scope lists and their names", async () => {
    const many = Array.from({ length: 101 }, (_, i) => `VM${i}`);
    expect(await api.call("POST", "/api/failover", { as: "operator", body: { ...validStart, scope: { vms: many } } })).toMatchObject({
      status: 400,
      json: { field: "scope.vms", detail: expect.stringMatching(/at most 100/) },
    });
    expect(await api.call("POST", "/api/failover", { as: "operator", body: { ...validStart, scope: { vms: ["WEB01", "W".repeat(81)] } } })).toMatchObject({
      status: 400,
      json: { field: "scope.vms.1" },
    });
    expect(await api.call("POST", "/api/failover", { as: "operator", body: { ...validStart, scope: { tiers: [42] } } })).toMatchObject({
      status: 400,
      json: { field: "scope.tiers.0" },
    });
  });

  it("refuses an Idempotency-Key over 255 characters, audited", async () => {
    const body = { ...validStart, dryRun: false };
    expect(await api.call("POST", "/api/failover", { as: "operator", body, headers: { "idempotency-key": "k".repeat(256) } })).toMatchObject({
      status: 400,
      json: { field: "Idempotency-Key" },
    });
    expect((await auditRows()).some((e) => e.action === "start run" && e.result === "refused 400" && /Idempotency-Key/.test(e.detail ?? ""))).toBe(true);
  });

  const runRoutes: readonly [string, string][] = [
    ["GET", ""],
    ["GET", "/report"],
    ...["approve", "commit", "cleanup", "cancel", "resume"].map((a): [string, string] => ["POST", `/${a}`]),
  ];

  // (A 40K-character path is refused by Node's HTTP server itself: 431, headers too large.)
  const badRunIds = {
    slash: "a%2Fb",
    dotdot: "..%2F..%2Fetc",
    dash: "-starts-with-dash",
    long: "r".repeat(101),
    hash: "run%23x",
    nul: "run%00x",
    huge: "x".repeat(8_000),
  };
  it.each(Object.entries(badRunIds))("refuses the run id '%s' on every run route with 400 field runId", async (_name, runId) => {
    for (const [method, suffix] of runRoutes) {
      const asWho = method === "GET" ? "reader" : suffix === "/approve" || suffix === "/commit" ? "approver" : "operator";
      const response = await api.call(method, `/api/runs/${runId}${suffix}`, {
        as: asWho,
        ...(suffix === "/cancel" ? { body: { reason: "no such run" } } : {}),
      });
      expect(response.status, `${method} ${suffix}`).toBe(400);
      expect(response.json.field, `${method} ${suffix}`).toBe("runId");
      expect(response.text.length).toBeLessThan(2_000);
    }
  });

  it("answers a run id with an unencoded '/' or '../' as an unknown route (404), never 500", async () => {
    for (const path of ["/api/runs/a/b", "/api/runs/../runs/x/approve", "/api/runs/x/y/approve", "/api/runs/%E0%A4%A/approve"]) {
      const response = await api.call("POST", path, { as: "approver" });
      expect([400, 404], path).toContain(response.status);
    }
  });

  it("audits a refused run id without filing it as a run id", async () => {
    await api.call("GET", "/api/runs/a%2F..%2Fb", { as: "reader" });
    const row = (await auditRows()).find((e) => e.action === "read run" && e.result === "refused 400");
    expect(row).toMatchObject({ who: "rita.reader@contoso.com", detail: expect.stringMatching(/^runId: /) });
    expect(row?.runId).toBeUndefined();
  });

  it("checks the audit query: runId shape, incidentId length, limit digits", async () => {
    expect(await api.call("GET", "/api/audit?runId=a/b", { as: "reader" })).toMatchObject({ status: 400, json: { field: "runId" } });
    expect(await api.call("GET", `/api/audit?incidentId=${"i".repeat(201)}`, { as: "reader" })).toMatchObject({ status: 400, json: { field: "incidentId" } });
    expect(await api.call("GET", "/api/audit?limit=1e3", { as: "reader" })).toMatchObject({ status: 400, json: { field: "limit" } });
    expect((await api.call("GET", "/api/audit?runId=&limit=5", { as: "reader" })).status).toBe(200);
  });
});
