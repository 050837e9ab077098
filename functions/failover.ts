import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { getAppRoot } from "../shared/appRoot.js";
import { parseManualRunRequest } from "../shared/engine/failoverRequest.js";
import { startManualRun } from "../shared/engine/manualRuns.js";
import { authorizeUser } from "./authorizeUser.js";
import { problem } from "./httpProblem.js";
import { invocationLogger } from "./invocationLogger.js";
import { refuseAudited } from "./refuseAudited.js";

export const FAILOVER_FUNCTION = "failover";
/** Requests are a few hundred bytes; anything near this is not one. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** How long a client should wait before following a run (ASR's own polling interval). */
export const RETRY_AFTER_SECONDS = 30;
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * POST /api/failover (operator): start a run, or preview it with `dryRun`. A run answers like an
 * ARM long-running operation: 202, the run id, `Location` to follow and `Retry-After`. An
 * `Idempotency-Key` makes a retried request answer the same run.
 */
export async function handleFailoverRequest(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const root = await getAppRoot();
  const auth = await authorizeUser(root, request, "operator", "start run");
  if (!auth.ok) return auth.response;
  const { principal } = auth;
  const refuse = (status: number, title: string, detail: string, extra: Record<string, unknown> = {}) => refuseAudited(root, { who: principal.name, action: "start run" }, status, title, detail, extra);

  const body = await readJsonBody(request);
  if (!body.ok) return refuse(body.status, body.title, body.detail, { field: "(body)" });
  const parsed = parseManualRunRequest(body.value, root.estate, root.clock.now());
  if (!parsed.ok) {
    const first = parsed.problems[0];
    return refuse(400, "Invalid request", parsed.problems.map((p) => `${p.field}: ${p.message}`).join("; "), { field: first?.field ?? "(body)", problems: parsed.problems });
  }
  const key = request.headers.get("idempotency-key") ?? undefined;
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) return refuse(400, "Invalid request", `Idempotency-Key: 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters`, { field: "Idempotency-Key" });

  const log = invocationLogger(context);
  const outcome = await startManualRun(
    { estate: root.estate, clock: root.clock, ...root.runApi.reads, engine: root.engineFor(log), runs: root.runs, idempotency: root.runApi.idempotency, audit: root.audit, log },
    { value: parsed.value, actor: { id: principal.id, name: principal.name }, ...(key !== undefined ? { idempotencyKey: key } : {}) },
  );
  switch (outcome.kind) {
    case "preview":
      return { status: 200, jsonBody: outcome.preview };
    case "refused":
      return problem(outcome.status, outcome.title, outcome.detail, { ...outcome.extra });
    case "started":
      return accepted(request, outcome.runId, { runId: outcome.runId, status: "running", mode: parsed.value.request.mode, repeated: outcome.repeated, ...runLinks(outcome.runId) });
  }
}

/** 202 with the run to follow, as an ARM long-running operation answers. */
export function accepted(request: HttpRequest, runId: string, body: Record<string, unknown>, status: 200 | 202 = 202): HttpResponseInit {
  return {
    status,
    headers: { location: new URL(`/api/runs/${encodeURIComponent(runId)}`, request.url).toString(), "retry-after": String(RETRY_AFTER_SECONDS) },
    jsonBody: body,
  };
}

/** Where a run is followed and acted on. */
export function runLinks(runId: string): { links: Record<string, string> } {
  const base = `/api/runs/${encodeURIComponent(runId)}`;
  return { links: { run: base, report: `${base}/report`, audit: `/api/audit?runId=${encodeURIComponent(runId)}` } };
}

/** A JSON request body, size-limited, or the problem with it. Empty bodies are `{}` when allowed. */
export async function readJsonBody(request: HttpRequest, options: { allowEmpty?: boolean } = {}): Promise<{ ok: true; value: unknown } | { ok: false; status: 400 | 413 | 415; title: string; detail: string }> {
  if (Number(request.headers.get("content-length") ?? 0) > MAX_REQUEST_BYTES) return { ok: false, status: 413, title: "Payload too large", detail: `requests are limited to ${MAX_REQUEST_BYTES} bytes` };
  const text = await request.text();
  if (text.trim() === "" && options.allowEmpty) return { ok: true, value: {} };
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(contentType)) return { ok: false, status: 415, title: "Unsupported media type", detail: `expected application/json, got '${contentType || "none"}'` };
  if (Buffer.byteLength(text) > MAX_REQUEST_BYTES) return { ok: false, status: 413, title: "Payload too large", detail: `requests are limited to ${MAX_REQUEST_BYTES} bytes` };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, status: 400, title: "Malformed JSON", detail: error instanceof Error ? error.message : "the body is not JSON" };
  }
}

export const failoverHttp = { methods: ["POST" as const], route: "failover", authLevel: "anonymous" as const, handler: handleFailoverRequest };

app.http(FAILOVER_FUNCTION, failoverHttp);
