import type { HttpResponseInit, InvocationContext } from "@azure/functions";
import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** A function the host can fire through its admin API (timers, queue triggers). */
export interface AdminFunction {
  readonly name: string;
  invoke(input: string, context: InvocationContext): Promise<void>;
}

/** Something only the sandbox serves, read with the master key at `GET /admin/sandbox/{name}` (no Functions host has it). */
export interface AdminRead {
  readonly name: string;
  read(): unknown;
}

export interface AdminRequest {
  readonly name: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface AdminApiOptions {
  /** The host's master key, which every /admin call presents in `x-functions-key`. */
  readonly masterKey: string;
  /** The origins a browser may call from: only the sandbox's own. */
  readonly ownOrigins: () => readonly string[];
  readonly context: (functionName: string) => InvocationContext;
  readonly log: (line: string) => void;
}

/**
 * `POST /admin/functions/{name}` as the Functions host serves it (learn.microsoft.com/azure/azure-functions/
 * functions-manually-run-non-http): the master key in `x-functions-key`, `Content-Type: application/json`,
 * body `{ "input": "<trigger input>" }` where the input is a string, number or boolean, answer 202.
 * Core Tools skips the key locally; the sandbox does not, because any web page can post to
 * 127.0.0.1: it also refuses an `Origin` that is not its own and, unlike Azure, never lists its functions.
 */
export async function handleAdminInvoke(functions: readonly AdminFunction[], request: AdminRequest, options: AdminApiOptions): Promise<HttpResponseInit> {
  const origin = request.headers.origin;
  if (origin !== undefined && !options.ownOrigins().includes(origin)) return refusal(403, "cross-origin requests to /admin are refused");
  const key = request.headers["x-functions-key"];
  if (typeof key !== "string" || !sameSecret(key, options.masterKey)) return refusal(401, "the master key is required in x-functions-key");
  if (!/^application\/json\b/i.test(request.headers["content-type"] ?? "")) return refusal(415, "Content-Type must be application/json");
  const input = parseInput(request.body);
  if (!input.ok) return refusal(400, input.reason);
  const fn = functions.find((f) => f.name === request.name);
  if (!fn) return refusal(404, "no such function");
  try {
    await fn.invoke(input.value, options.context(fn.name));
  } catch (error) {
    // The host answers 202 once the invocation is queued; a failing function shows in its logs, not in the answer.
    options.log(`[${fn.name}] invocation failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { status: 202 };
}

/** `GET /admin/sandbox/{name}`: the same key and origin checks as an invocation, then the read as JSON. */
export function handleAdminRead(
  reads: readonly AdminRead[],
  request: Omit<AdminRequest, "body">,
  options: Pick<AdminApiOptions, "masterKey" | "ownOrigins">,
): HttpResponseInit {
  const origin = request.headers.origin;
  if (origin !== undefined && !options.ownOrigins().includes(origin)) return refusal(403, "cross-origin requests to /admin are refused");
  const key = request.headers["x-functions-key"];
  if (typeof key !== "string" || !sameSecret(key, options.masterKey)) return refusal(401, "the master key is required in x-functions-key");
  const found = reads.find((r) => r.name === request.name);
  if (!found) return refusal(404, "no such sandbox read");
  return { status: 200, headers: { "cache-control": "no-store" }, jsonBody: found.read() };
}

function parseInput(body: Buffer): { ok: true; value: string } | { ok: false; reason: string } {
  if (body.length === 0) return { ok: true, value: "" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return { ok: false, reason: "the body is not JSON" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'the body is { "input": "<trigger input>" }' };
  const { input } = parsed as { input?: unknown };
  if (input === undefined) return { ok: true, value: "" };
  if (typeof input === "string" || typeof input === "number" || typeof input === "boolean") return { ok: true, value: String(input) };
  return { ok: false, reason: "input: a string, number or boolean" };
}

function refusal(status: number, reason: string): HttpResponseInit {
  return { status, headers: { "content-type": "application/problem+json" }, jsonBody: { type: "about:blank", status, title: reason, detail: reason } };
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
