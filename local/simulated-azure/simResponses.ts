import { createHttpHeaders, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import type { ReadFault } from "./healthFaults.js";
import type { Stats } from "./stats.js";

/** A response built outside the ARM front door (health overlay, Monitor data plane). */
export function respond(request: PipelineRequest, status: number, body?: unknown, headers: Readonly<Record<string, string>> = {}): PipelineResponse {
  const hasBody = body !== undefined;
  return {
    request,
    status,
    headers: createHttpHeaders({ ...(hasBody ? { "Content-Type": "application/json; charset=utf-8" } : {}), ...headers }),
    bodyAsText: hasBody ? JSON.stringify(body) : "",
  };
}

/** How long a 'timeout' read hangs when the caller never gives up (it always should). */
const HANG_LIMIT_MS = 120_000;

/**
 * Answers a read with its injected fault, counted like any other request. 'timeout' answers nothing
 * until the caller aborts (AbortError, as a real HTTP client throws) and gives a 504 only if it never does.
 */
export async function answerFault(
  request: PipelineRequest,
  fault: ReadFault,
  what: { readonly operation: string; readonly action: string; readonly scope: string; readonly forbiddenCode?: string },
  stats: Stats,
  retryAfterSeconds: number,
): Promise<PipelineResponse> {
  stats.countRequest(request.method.toUpperCase(), "read");
  if (fault === "throttled") {
    stats.countAnswer(what.operation, 429);
    return respond(
      request,
      429,
      { error: { code: "TooManyRequests", message: `The request is being throttled; retry after ${retryAfterSeconds} seconds (simulated read fault).` } },
      { "Retry-After": String(retryAfterSeconds) },
    );
  }
  if (fault === "forbidden") {
    stats.countAnswer(what.operation, 403);
    return respond(request, 403, {
      error: {
        code: what.forbiddenCode ?? "AuthorizationFailed",
        message: `The client 'func-dr-identity' with object id '00000000-0000-0000-0000-000000000001' does not have authorization to perform action '${what.action}' over scope '${what.scope}' or the scope is invalid (simulated read fault).`,
      },
    });
  }
  const signal = request.abortSignal;
  const aborted = await new Promise<boolean>((resolve) => {
    if (signal?.aborted) return resolve(true);
    const timer = setTimeout(() => resolve(false), HANG_LIMIT_MS);
    timer.unref?.();
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  stats.countAnswer(what.operation, aborted ? 499 : 504);
  if (aborted) {
    const error = new Error("The operation was aborted.");
    error.name = "AbortError";
    throw error;
  }
  return respond(request, 504, {
    error: { code: "GatewayTimeout", message: "The gateway did not receive a response within the specified time period (simulated read fault)." },
  });
}
