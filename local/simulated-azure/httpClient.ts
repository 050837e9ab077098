import { createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import type { Clock } from "../../shared/ports/clock.js";
import type { FaultInjector } from "./faults.js";
import { armError, type Exchange, type SimReply, type SimRequest } from "./http.js";
import { uuidFrom } from "./ids.js";
import { createArmRateLimiter, type ArmRateLimiter } from "./armRateLimits.js";
import { createRbac, type Rbac } from "./rbac.js";
import { deployedRoleAssignments } from "./rbacAssignments.js";
import type { Router } from "./router.js";
import { settle } from "./settle.js";
import type { Stats } from "./stats.js";
import type { World } from "./world.js";

export interface HttpClientDeps {
  readonly world: World;
  readonly router: Router;
  readonly clock: Clock;
  readonly stats: Stats;
  readonly faults: FaultInjector;
  readonly latencyMs: number;
  readonly misuse: string[];
  /** Authorization of each ARM request; by default the roles infra/ deploys for the app's identity (rbacAssignments.ts). */
  readonly rbac?: Rbac;
  /** ARM's subscription token buckets (armRateLimits.ts); by default counted and reported, never refusing. */
  readonly rateLimits?: ArmRateLimiter;
}

/** The ARM front door: faults, authentication, authorization, routing, api-version and body checks, then the handler. */
export function createSimulatedHttpClient(deps: HttpClientDeps): HttpClient {
  let requests = 0;
  const rbac = deps.rbac ?? createRbac(deployedRoleAssignments(deps.world.estate), deps.world.estate.subscriptionId);
  const rateLimits = deps.rateLimits ?? createArmRateLimiter(false);
  return {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const method = request.method.toUpperCase();
      deps.stats.countRequest(method);
      requests += 1;
      const requestId = uuidFrom(`request:${requests}`);
      if (deps.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, deps.latencyMs));
      const url = new URL(request.url);
      const match = deps.router.match(method, url.pathname);
      const operation = match?.route.operation ?? "Unknown";
      const bodyText = typeof request.body === "string" ? request.body : "";
      const fault = deps.faults.next(`${method} ${request.url} ${bodyText}`);
      let answer: SimReply;
      // ARM throttles before the resource provider sees the request; the answer names what is left.
      const kind = method === "GET" || method === "HEAD" ? "reads" : "writes";
      const token = rateLimits.take(kind, deps.clock.now());
      const budgetHeader = { [rateLimits.header(kind)]: String("remaining" in token ? token.remaining : 0) };
      if ("retryAfterSeconds" in token) {
        // The documented answer of an empty bucket: 429 with Retry-After (request-limits-and-throttling).
        answer = armError(
          429,
          "TooManyRequests",
          `Number of ${kind} requests for subscription exceeded the limit; retry after ${token.retryAfterSeconds} seconds.`,
        );
        answer = { ...answer, headers: { "Retry-After": String(token.retryAfterSeconds), ...budgetHeader } };
      } else if (fault?.status === 429) {
        answer = armError(429, "TooManyRequests", `The request is being throttled; retry after ${fault.retryAfterSeconds} seconds (simulated).`);
        answer = { ...answer, headers: { "Retry-After": String(fault.retryAfterSeconds), "x-ms-ratelimit-remaining-subscription-reads": "0" } };
      } else if (fault?.status === 503) {
        answer = armError(503, "ServiceUnavailable", "The service is temporarily unavailable (simulated).");
      } else {
        answer = handle(deps, rbac, request, method, url, match);
      }
      deps.stats.countAnswer(operation, answer.status);
      return toPipelineResponse(request, { ...answer, headers: { ...budgetHeader, ...answer.headers } }, requestId);
    },
  };
}

function handle(deps: HttpClientDeps, rbac: Rbac, request: PipelineRequest, method: string, url: URL, match: ReturnType<Router["match"]>): SimReply {
  const rejectWith = (status: number, code: string, message: string): SimReply => {
    deps.misuse.push(`${method} ${url.pathname}: ${status} ${code}: ${message}`);
    return armError(status, code, message);
  };
  const auth = request.headers.get("authorization");
  if (!auth?.startsWith("Bearer "))
    return rejectWith(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing a bearer token.");
  // ARM authorizes before the resource provider sees the request, so a caller without the action is
  // refused whether or not the resource exists. Recorded as misuse: the deployment lacks a grant.
  const refused = rbac.authorize(method, url.pathname);
  if (refused) return rejectWith(403, "AuthorizationFailed", refused.message);
  if (!match) return rejectWith(404, "NotFound", `No simulated ARM endpoint serves ${method} ${url.pathname}.`);
  const { route, params } = match;
  if ((params["subscriptionId"] ?? "").toLowerCase() !== deps.world.estate.subscriptionId.toLowerCase()) {
    return rejectWith(404, "SubscriptionNotFound", `The subscription '${params["subscriptionId"] ?? ""}' could not be found.`);
  }
  const versions = [...new Set(url.searchParams.getAll("api-version"))];
  if (versions.length === 0)
    return rejectWith(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
  const version = versions[0] ?? "";
  if (versions.length > 1 || !route.apiVersions.includes(version)) {
    return rejectWith(
      400,
      "InvalidApiVersionParameter",
      `The api-version '${versions.join(",")}' is invalid for ${route.operation}. The supported versions are '${route.apiVersions.join(",")}'.`,
    );
  }
  const body = parseJsonBody(request, method);
  if ("error" in body) return rejectWith(body.status, body.code, body.error);
  const now = deps.clock.now();
  settle(deps.world, now);
  const req: SimRequest = { method, url, params, headers: request.headers, body: body.value, now };
  const ex: Exchange = { req, reject: rejectWith, flag: (message) => deps.misuse.push(`${method} ${url.pathname}: ${message}`) };
  try {
    return route.handle(ex);
  } catch (error) {
    // A bug of the simulator must not pass for a flaky service: answer 500 and make it visible.
    return rejectWith(
      500,
      "SimulatorFailure",
      `The simulated ${route.operation} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }
}

function parseJsonBody(
  request: PipelineRequest,
  method: string,
): { readonly value: unknown } | { readonly status: number; readonly code: string; readonly error: string } {
  if (request.body === undefined || request.body === null || method === "GET") return { value: undefined };
  if (typeof request.body !== "string") return { status: 400, code: "InvalidRequestContent", error: "The request body must be JSON text." };
  if (request.body.length === 0) return { value: undefined };
  const contentType = request.headers.get("content-type") ?? "";
  if (!contentType.toLowerCase().startsWith("application/json")) {
    return {
      status: 415,
      code: "UnsupportedMediaType",
      error: `The content media type '${contentType}' is not supported. Only 'application/json' is supported.`,
    };
  }
  try {
    return { value: JSON.parse(request.body) as unknown };
  } catch {
    return { status: 400, code: "InvalidRequestContent", error: "The request content was invalid and could not be deserialized as JSON." };
  }
}

function toPipelineResponse(request: PipelineRequest, answer: SimReply, requestId: string): PipelineResponse {
  const hasBody = answer.body !== undefined;
  return {
    request,
    status: answer.status,
    headers: createHttpHeaders({
      ...(hasBody ? { "Content-Type": "application/json; charset=utf-8" } : {}),
      "x-ms-request-id": requestId,
      ...answer.headers,
    }),
    bodyAsText: hasBody ? JSON.stringify(answer.body) : "",
  };
}
