import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { z } from "zod";
import { getAppRoot } from "../shared/appRoot.js";
import type { Role } from "../shared/auth/roles.js";
import { issueProblem, Reason } from "../shared/engine/failoverRequest.js";
import type { ControlOutcome } from "../shared/engine/runControl.js";
import { accepted, readJsonBody, runLinks } from "./failover.js";
import { authorizeUser } from "./authorizeUser.js";
import { problem } from "./httpProblem.js";
import { withKeys } from "../shared/ports/logger.js";
import { invocationLogger } from "./invocationLogger.js";
import { refuseAudited } from "./refuseAudited.js";
import { runIdProblem } from "./requestLimits.js";

export type RunAction = "approve" | "commit" | "cleanup" | "cancel" | "resume";

/** Who may take each action (roles.ts: an admin may do everything). */
export const RUN_ACTION_ROLES: Readonly<Record<RunAction, Role>> = {
  approve: "approver",
  commit: "approver",
  cleanup: "operator",
  cancel: "operator",
  resume: "operator",
};

const CancelBody = z.strictObject({ reason: Reason });

/**
 * POST /api/runs/{runId}/{approve|commit|cleanup|cancel|resume}. Each records a person's decision
 * on the run (audited, with its refusals) and answers like the start did: 202 with the run to
 * follow; 200 when the same decision was already recorded.
 */
function actionHandler(action: RunAction) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const root = await getAppRoot();
    const auth = await authorizeUser(root, request, RUN_ACTION_ROLES[action], `${action} run`);
    if (!auth.ok) return auth.response;
    const runId = request.params.runId ?? "";
    const actor = { id: auth.principal.id, name: auth.principal.name };
    const badRunId = runIdProblem(runId);
    if (badRunId) return refuseAudited(root, { who: actor.name, action }, 400, "Invalid request", `runId: ${badRunId}`, { field: "runId" });
    const refuse = (status: number, title: string, detail: string, extra: Record<string, unknown> = {}) => refuseAudited(root, { who: actor.name, action, runId }, status, title, detail, extra);
    const body = await readJsonBody(request, { allowEmpty: action !== "cancel" });
    if (!body.ok) return refuse(body.status, body.title, body.detail, { field: "(body)" });
    const control = root.runApi.runControlFor(withKeys(invocationLogger(context), { runId, action }));
    let outcome: ControlOutcome;
    if (action === "cancel") {
      const parsed = CancelBody.safeParse(body.value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const { field, message } = issue ? issueProblem(issue, "reason") : { field: "reason", message: "required" };
        return refuse(400, "Invalid request", `${field}: ${message}`, { field });
      }
      outcome = await control.cancel(runId, actor, parsed.data.reason);
    } else {
      outcome = await control[action](runId, actor);
    }
    if (!outcome.ok) {
      const retryAfter = outcome.extra?.["retryAfterSeconds"];
      const response = problem(outcome.status, outcome.title, outcome.detail, { ...outcome.extra });
      return typeof retryAfter === "number" ? { ...response, headers: { ...(response.headers as Record<string, string>), "retry-after": String(retryAfter) } } : response;
    }
    return accepted(request, outcome.runId, { ...outcome.body, ...runLinks(outcome.runId) }, outcome.status);
  };
}

const route = (action: RunAction) => ({ methods: ["POST" as const], route: `runs/{runId}/${action}`, authLevel: "anonymous" as const, handler: actionHandler(action) });

export const runActionsHttp = {
  approveRun: route("approve"),
  commitRun: route("commit"),
  cleanupRun: route("cleanup"),
  cancelRun: route("cancel"),
  resumeRun: route("resume"),
};

for (const [name, options] of Object.entries(runActionsHttp)) app.http(name, options);
