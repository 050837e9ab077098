import { getAppRoot } from "../../root/appRoot.js";
import type { AlertOutcome } from "../../incidents/alertService.js";
import { authenticateAlertCaller } from "../../auth/authenticate.js";
import { FUNCTION_NAMES } from "../../config/names.js";
import type { ApiRequest, ApiResponse, HttpRoute, Invocation } from "../hostTypes.js";
import { invocationLogger } from "../invocationLogger.js";
import { readJsonBody } from "./body.js";
import { problem, REFUSALS, withRetryAfter, type RefusalReason } from "./problem.js";
import { refuseAudited } from "./refuse.js";

/** Azure Monitor's common alert schema payloads are a few KB; anything near this is not an alert. */
export const MAX_ALERT_BYTES = 256 * 1024;

/**
 * POST /api/alerts from the Action Group: authenticate, validate, record and decide; never wait
 * for a failover. Anything accepted, duplicates included, gets a 2xx so the Action Group does not
 * retry it; a malformed request gets a 4xx naming the problem.
 */
async function handleAlertRequest(request: ApiRequest, context: Invocation): Promise<ApiResponse> {
  const root = await getAppRoot();
  const refuse = (reason: RefusalReason, detail: string, who = "unknown caller"): Promise<ApiResponse> =>
    refuseAudited(root, { who, action: "alert" }, reason, detail);

  const caller = await authenticateAlertCaller(root.alertAuth, (name) => request.headers.get(name), request.query);
  if (!caller.ok) return refuse(caller.status === 401 ? "unauthorized" : "forbidden", caller.reason);
  const who = caller.principal.name;
  // The media type first: a caller that is not sending JSON is told so before its size is judged.
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(contentType)) return refuse("mediaType", `expected application/json, got '${contentType || "none"}'`, who);
  const body = await readJsonBody(request, { maxBytes: MAX_ALERT_BYTES, what: "alerts" });
  if (!body.ok) return refuse(body.reason, body.detail, who);

  const log = invocationLogger(context);
  let outcome: AlertOutcome;
  try {
    outcome = await root.alertsFor(log).handleAlert(body.value, who);
  } catch (error) {
    // An Action Group retries a webhook only on 408, 429, 503, 504 or no answer, never on 500
    // (learn.microsoft.com/azure/azure-monitor/alerts/action-groups#webhook): a failure here says 503
    // so the alert is delivered again, and its redelivery finishes what this one could not.
    log.error("alert not handled, the Action Group is asked to retry", { error: error instanceof Error ? error.message.slice(0, 200) : "error" });
    return withRetryAfter(problem(503, "Service unavailable", "the alert could not be recorded now; send it again"), 5);
  }
  if (outcome.status === "rejected") {
    // The first problem's path names the field (data.essentials.alertId); docs/http-api.md lists the limits.
    const field = (outcome.problems[0] ?? "").split(":")[0]?.split(".").pop() ?? "(body)";
    return problem(REFUSALS.notAnAlert.status, REFUSALS.notAnAlert.title, outcome.problems.join("; "), { problems: outcome.problems, field });
  }
  const { decision } = outcome;
  return { status: decision.outcome === "duplicate" ? 200 : 202, jsonBody: decision };
}

export const alerts: HttpRoute = { name: FUNCTION_NAMES.alerts, methods: ["POST"], route: "alerts", handler: handleAlertRequest };
