import { z } from "zod";
import type { Role } from "../../auth/roles.js";
import { Reason } from "../../runs/failoverRequest.js";
import type { ControlOutcome } from "../../runs/runControl.js";
import type { HttpRoute } from "../hostTypes.js";
import { problem, withRetryAfter } from "./problem.js";
import { accepted, runLinks } from "./responses.js";
import { userRoute } from "./route.js";
import { zodBody } from "./zodBody.js";

export type RunAction = "approve" | "commit" | "cleanup" | "cancel" | "resume" | "extend-cleanup";

/** Who may take each action (roles.ts: an admin may do everything). */
export const RUN_ACTION_ROLES: Readonly<Record<RunAction, Role>> = {
  approve: "approver",
  commit: "approver",
  cleanup: "operator",
  cancel: "operator",
  resume: "operator",
  "extend-cleanup": "operator",
};

const CancelBody = z.strictObject({ reason: Reason });
/** Up to a day per request; repeated requests add up, to at most a week after the drill ended (runControl.ts). */
const ExtendCleanupBody = z.strictObject({ minutes: z.number().int().min(1).max(1_440), reason: Reason });

/**
 * POST /api/runs/{runId}/{approve|commit|cleanup|cancel|resume|extend-cleanup}. Each records a person's decision
 * on the run (audited, with its refusals) and answers like the start did: 202 with the run to
 * follow; 200 when the same decision was already recorded.
 */
function runAction(name: string, action: RunAction): HttpRoute {
  return userRoute({
    name,
    methods: ["POST"],
    route: `runs/{runId}/${action}`,
    role: RUN_ACTION_ROLES[action],
    action: `${action} run`,
    async handle({ root, request, runId, actor, log, body }) {
      const control = root.runApi.runControlFor(log);
      let outcome: ControlOutcome;
      if (action === "cancel") {
        const parsed = await body(zodBody(CancelBody, "reason"));
        if (!parsed.ok) return parsed.response;
        outcome = await control.cancel(runId, actor, parsed.value.reason);
      } else if (action === "extend-cleanup") {
        const parsed = await body(zodBody(ExtendCleanupBody, "minutes"));
        if (!parsed.ok) return parsed.response;
        outcome = await control.extendCleanup(runId, actor, parsed.value.minutes, parsed.value.reason);
      } else {
        const parsed = await body((value) => ({ ok: true, value }), { allowEmpty: true });
        if (!parsed.ok) return parsed.response;
        outcome = await control[action](runId, actor);
      }
      if (!outcome.ok) {
        const retryAfter = outcome.extra?.["retryAfterSeconds"];
        const response = problem(outcome.status, outcome.title, outcome.detail, { ...outcome.extra });
        return typeof retryAfter === "number" ? withRetryAfter(response, retryAfter) : response;
      }
      return accepted(request, outcome.runId, { ...outcome.body, ...runLinks(outcome.runId) }, outcome.status);
    },
  });
}

export const runActions: readonly HttpRoute[] = [
  runAction("approveRun", "approve"),
  runAction("commitRun", "commit"),
  runAction("cleanupRun", "cleanup"),
  runAction("cancelRun", "cancel"),
  runAction("resumeRun", "resume"),
  runAction("extendRunCleanup", "extend-cleanup"),
];
