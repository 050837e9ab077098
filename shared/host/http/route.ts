import { getAppRoot, type AppRoot } from "../../root/appRoot.js";
import type { Principal } from "../../auth/principal.js";
import type { Role } from "../../auth/roles.js";
import { isDrError } from "../../ports/errors.js";
import { withKeys, type Logger } from "../../ports/logger.js";
import type { ApiRequest, ApiResponse, HttpMethod, HttpRoute, Invocation } from "../hostTypes.js";
import { invocationLogger } from "../invocationLogger.js";
import { authorizeUser } from "./authorize.js";
import { readJsonBody } from "./body.js";
import { runIdProblem } from "./limits.js";
import { problem, withRetryAfter, type RefusalReason } from "./problem.js";
import { refuseAudited } from "./refuse.js";

/** What a body parser says: the value, or the field it stumbled on and why. */
export type BodyParse<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly field: string; readonly detail: string; readonly extra?: Readonly<Record<string, unknown>> };

/** An authorized call, as a user route's handler gets it. */
export interface UserCall {
  readonly root: AppRoot;
  readonly request: ApiRequest;
  readonly principal: Principal;
  readonly actor: { readonly id: string; readonly name: string };
  /** The invocation's logger, with the run id bound when the route has one. */
  readonly log: Logger;
  /** The route's `{runId}`, validated (empty when the route has none). */
  readonly runId: string;
  /** An audited 4xx naming what was wrong (docs/http-api.md, "Limits"). */
  readonly refuse: (reason: RefusalReason, detail: string, extra?: Readonly<Record<string, unknown>>) => Promise<ApiResponse>;
  /** The JSON body through `parse`; a body that cannot be read, or does not parse, is an audited 400/413/415 naming the field. */
  readonly body: <T>(
    parse: (value: unknown) => BodyParse<T>,
    options?: { readonly allowEmpty?: boolean },
  ) => Promise<{ readonly ok: true; readonly value: T } | { readonly ok: false; readonly response: ApiResponse }>;
}

export interface UserRouteSpec {
  readonly name: string;
  readonly methods: readonly HttpMethod[];
  readonly route: string;
  /** The least role allowed (roles.ts: an admin may do everything). */
  readonly role: Role;
  /** What the audit calls the request ("start run", "approve run"...). */
  readonly action: string;
  handle(call: UserCall): Promise<ApiResponse>;
}

/**
 * An endpoint people call: authorize (audited) → validate the `{runId}` if the route has one →
 * the handler, which reads its body through `call.body`. Every refusal on the way is audited and
 * answers a problem naming its field; the handler is left with the request's meaning.
 */
export function userRoute(spec: UserRouteSpec): HttpRoute {
  const hasRunId = spec.route.includes("{runId}");
  return {
    name: spec.name,
    methods: spec.methods,
    route: spec.route,
    handler: (request: ApiRequest, context: Invocation): Promise<ApiResponse> => {
      const log = invocationLogger(context);
      return unavailableOnDependencyFailure(log, async () => {
        const root = await getAppRoot();
        const auth = await authorizeUser(root, request, spec.role, spec.action);
        if (!auth.ok) return auth.response;
        const who = auth.principal.name;
        const runId = hasRunId ? (request.params["runId"] ?? "") : "";
        if (hasRunId) {
          const bad = runIdProblem(runId);
          if (bad) return refuseAudited(root, { who, action: spec.action }, "invalid", `runId: ${bad}`, { field: "runId" });
        }
        const refused = { who, action: spec.action, ...(runId ? { runId } : {}) };
        const refuse: UserCall["refuse"] = (reason, detail, extra = {}) => refuseAudited(root, refused, reason, detail, extra);
        return spec.handle({
          root,
          request,
          principal: auth.principal,
          actor: { id: auth.principal.id, name: who },
          log: runId ? withKeys(log, { runId }) : log,
          runId,
          refuse,
          body: async (parse, options = {}) => {
            const read = await readJsonBody(request, options);
            if (!read.ok) return { ok: false, response: await refuse(read.reason, read.detail, { field: "(body)" }) };
            const parsed = parse(read.value);
            if (!parsed.ok) return { ok: false, response: await refuse("invalid", parsed.detail, { field: parsed.field, ...parsed.extra }) };
            return { ok: true, value: parsed.value };
          },
        });
      });
    },
  };
}

/**
 * A dependency that is down or throttling (Table Storage unreachable, ARM 429/5xx after the SDK's
 * retries) answers 503 with Retry-After, as a client can try again; anything else is a fault of
 * ours and stays a 500.
 */
async function unavailableOnDependencyFailure(log: Logger, handle: () => Promise<ApiResponse>): Promise<ApiResponse> {
  try {
    return await handle();
  } catch (error) {
    if (!isDrError(error) || !error.retryable) throw error;
    log.warn("request not served: a dependency is unavailable", { code: error.code, error: error.message.slice(0, 300) });
    return withRetryAfter(problem(503, "Service unavailable", `${error.code}: try again shortly`), error.retryAfterSeconds ?? DEPENDENCY_RETRY_AFTER_SECONDS);
  }
}

/** What a client is told to wait when a dependency failed without saying how long. */
const DEPENDENCY_RETRY_AFTER_SECONDS = 5;
