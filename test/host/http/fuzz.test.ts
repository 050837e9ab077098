import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "./httpHelpers.js";

/**
 * Bounded fuzz over every HTTP route the product and the sandbox serve: random bodies (JSON and
 * not, huge strings, deep nesting, wrong types, unicode) and random path parameters, sent with valid
 * credentials. No answer may be a 5xx, and every refusal names a field or says why.
 */
const SEED = 20_261_125;
const RUNS_PER_ROUTE = 40;
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.stop());

const validStart = { mode: "test", scope: { tiers: ["web"] }, reason: "fuzzed drill", dryRun: true };
const hugeString = fc.tuple(fc.string({ minLength: 1, maxLength: 4 }), fc.integer({ min: 2_000, max: 40_000 })).map(([s, n]) => s.repeat(n));
const unicode = fc.string({ unit: "grapheme", maxLength: 60 });
const deepJson = fc
  .tuple(fc.integer({ min: 10, max: 20_000 }), fc.constantFrom("[", '{"a":'))
  .map(([depth, open]) => open.repeat(depth) + (open === "[" ? "]".repeat(depth) : `1${"}".repeat(depth)}`));
const anyJson = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v));
/** A valid request with one field replaced, added or removed: reaches the planner and the pre-checks. */
const mutated = (base: Record<string, unknown>, hugeKeys = true) =>
  fc
    .tuple(
      fc.constantFrom(...Object.keys(base), "extra", "scope", "recoveryPoint", "cleanupAfterMinutes", "finish", "on"),
      fc.oneof(fc.jsonValue({ maxDepth: 3 }), hugeString, unicode, fc.constant(undefined)),
      fc.boolean(),
    )
    .map(([field, value, hugeKey]) => JSON.stringify({ ...base, [hugeKeys && hugeKey && field === "extra" ? "k".repeat(40_000) : field]: value }));
const body = (base: Record<string, unknown>, hugeKeys = true) =>
  fc.oneof(
    { arbitrary: mutated(base, hugeKeys), weight: 5 },
    { arbitrary: anyJson, weight: 2 },
    deepJson,
    hugeString,
    unicode,
    fc.constantFrom("", "{", "null", JSON.stringify(base)),
  );
/** Mostly JSON, so most cases get past the media-type check to the schema, the planner and the engine. */
const contentType = fc.oneof(
  { arbitrary: fc.constantFrom("application/json", "application/json; charset=utf-8"), weight: 6 },
  fc.constantFrom("text/plain", "application/x-www-form-urlencoded", undefined),
);
const runIdParam = fc.oneof(
  fc.constantFrom("run-unknown", "run-20261125T013000Z-a1b2c3", "..", "../..", "a/b", "%2F", "%2e%2e%2f", "%00", "%E0%A4%A", "run%23x", "run?x=1"),
  unicode.map(encodeURIComponent),
  fc.string({ maxLength: 300 }).map(encodeURIComponent),
  fc.string({ minLength: 200, maxLength: 2_000, unit: "binary-ascii" }).map(encodeURIComponent),
);

interface Case {
  readonly path: string;
  readonly body?: string;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
}

async function send(method: string, c: Case, auth: Record<string, string>): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
  const response = await fetch(`${api.sandbox.url}${c.path}`, {
    method,
    headers: { ...auth, ...(c.contentType ? { "content-type": c.contentType } : {}), ...c.headers },
    ...(c.body !== undefined && method !== "GET" ? { body: c.body } : {}),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // HTML pages and empty answers
  }
  return { status: response.status, json, text };
}

function expectNoServerError(answer: { status: number; json: Record<string, unknown>; text: string }, what: string): void {
  expect(answer.status, `${what}: ${answer.text.slice(0, 300)}`).toBeLessThan(500);
  if (answer.status >= 400) {
    const names = typeof answer.json.field === "string" || (typeof answer.json.detail === "string" && answer.json.detail.length > 0);
    expect(names, `${what}: a ${answer.status} names a field or a reason: ${answer.text.slice(0, 300)}`).toBe(true);
    expect(answer.text.length, `${what}: a refusal stays small`).toBeLessThan(20_000);
  }
}

async function fuzz(method: string, arbitrary: fc.Arbitrary<Case>, auth: () => Promise<Record<string, string>>, numRuns = RUNS_PER_ROUTE): Promise<void> {
  const headers = await auth();
  await fc.assert(
    fc.asyncProperty(arbitrary, async (c) => expectNoServerError(await send(method, c, headers), `${method} ${c.path.slice(0, 120)}`)),
    { seed: SEED, numRuns, endOnFailure: true },
  );
}

const bearer = (person: "admin" | "reader") => async () => ({ authorization: `Bearer ${await api.token(person)}` });
const withBody = (path: fc.Arbitrary<string>, base: Record<string, unknown>, hugeKeys = true) =>
  fc
    .record({ path, body: body(base, hugeKeys), contentType }, { requiredKeys: ["path", "body"] })
    .map((c): Case => ({ path: c.path, body: c.body, ...(c.contentType ? { contentType: c.contentType } : {}) }));

describe("fuzz: no input makes any route answer 5xx, and every refusal says why", () => {
  it("POST /api/failover (bodies, Idempotency-Key)", async () => {
    const arbitrary = fc
      .tuple(
        withBody(fc.constant("/api/failover"), validStart),
        fc.option(
          fc.oneof(
            unicode,
            hugeString.map((s) => s.slice(0, 4_000)),
            fc.string({ unit: "binary-ascii", maxLength: 300 }),
          ),
        ),
      )
      .map(([c, key]): Case => {
        const safeKey = key?.replace(/[^\t\x20-\x7e]/g, "");
        return { ...c, ...(safeKey ? { headers: { "idempotency-key": safeKey } } : {}) };
      });
    await fuzz("POST", arbitrary, bearer("admin"), 2 * RUNS_PER_ROUTE);
  });

  it("GET /api/failover (not a route: 404)", async () => {
    await fuzz("GET", fc.constant({ path: "/api/failover" }), bearer("admin"));
  });

  it("GET /api/runs and GET /api/runs/{runId} and .../report, .../round-trip, .../round-trip/report", async () => {
    await fuzz("GET", fc.constant({ path: "/api/runs" }), bearer("reader"));
    await fuzz(
      "GET",
      runIdParam.map((id): Case => ({ path: `/api/runs/${id}` })),
      bearer("reader"),
    );
    await fuzz(
      "GET",
      runIdParam.map((id): Case => ({ path: `/api/runs/${id}/report` })),
      bearer("reader"),
    );
    await fuzz(
      "GET",
      fc.tuple(runIdParam, fc.constantFrom("round-trip", "round-trip/report")).map(([id, suffix]): Case => ({ path: `/api/runs/${id}/${suffix}` })),
      bearer("reader"),
    );
  });

  it.each(["approve", "commit", "cleanup", "cancel", "resume"])("POST /api/runs/{runId}/%s", async (action) => {
    await fuzz(
      "POST",
      withBody(
        runIdParam.map((id) => `/api/runs/${id}/${action}`),
        { reason: "fuzzed reason" },
      ),
      bearer("admin"),
    );
  });

  it("GET /api/audit (query parameters)", async () => {
    const query = fc.record({
      runId: fc.option(runIdParam),
      incidentId: fc.option(
        fc
          .oneof(
            unicode,
            hugeString.map((s) => s.slice(0, 3_000)),
          )
          .map(encodeURIComponent),
      ),
      limit: fc.option(fc.oneof(fc.integer().map(String), unicode.map(encodeURIComponent))),
    });
    const path = query.map(
      (q) =>
        `/api/audit?${[q.runId !== null ? `runId=${q.runId}` : "", q.incidentId !== null ? `incidentId=${q.incidentId}` : "", q.limit !== null ? `limit=${q.limit}` : ""].filter(Boolean).join("&")}`,
    );
    await fuzz(
      "GET",
      path.map((p): Case => ({ path: p })),
      bearer("reader"),
    );
  });

  it("POST /api/killswitch and POST /api/incidents/approve", async () => {
    await fuzz("POST", withBody(fc.constant("/api/killswitch"), { on: false, reason: "fuzzed reason" }), bearer("admin"));
    await fuzz("POST", withBody(fc.constant("/api/incidents/approve"), {}), bearer("admin"));
  });

  it("POST /api/alerts (with the webhook key)", async () => {
    const alert = {
      schemaId: "azureMonitorCommonAlertSchema",
      data: {
        essentials: {
          alertId: "/subscriptions/x/alerts/1",
          alertRule: "fuzz",
          severity: "Sev1",
          signalType: "Metric",
          monitorCondition: "Fired",
          firedDateTime: "2026-11-25T01:00:00Z",
        },
      },
    };
    await fuzz("POST", withBody(fc.constant("/api/alerts"), alert), () => Promise.resolve({ "x-functions-key": api.sandbox.identity.alertKey }));
  });

  it("POST /admin/functions/{name} (with the master key)", async () => {
    const name = fc.oneof(fc.constantFrom("incidentCheck", "healthCheck", "nope", "..", "%2F"), unicode.map(encodeURIComponent));
    const input = fc.oneof(
      anyJson,
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify({ input: v })),
      unicode,
      deepJson,
      fc.constant(""),
    );
    const arbitrary = fc
      .record({ name, body: input, contentType })
      .map((c): Case => ({ path: `/admin/functions/${c.name}`, body: c.body, ...(c.contentType ? { contentType: c.contentType } : {}) }));
    await fuzz("POST", arbitrary, () => Promise.resolve({ "x-functions-key": api.sandbox.masterKey }));
  });
});
