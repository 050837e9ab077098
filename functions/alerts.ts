import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { getAppRoot } from "../shared/appRoot.js";
import { authenticateAlertCaller } from "../shared/auth/authenticate.js";
import { FUNCTION_NAMES } from "../shared/config/names.js";
import { problem } from "./httpProblem.js";
import { invocationLogger } from "./invocationLogger.js";
import { refuseAudited } from "./refuseAudited.js";

/** Azure Monitor's common alert schema payloads are a few KB; anything near this is not an alert. */
export const MAX_ALERT_BYTES = 256 * 1024;

/**
 * POST /api/alerts from the Action Group: authenticate, validate, record and decide; never wait
 * for a failover. Anything accepted, duplicates included, gets a 2xx so the Action Group does not
 * retry it; a malformed request gets a 4xx naming the problem.
 */
export async function handleAlertRequest(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const root = await getAppRoot();
  const refuse = (status: number, title: string, detail: string, who = "unknown caller", extra: Record<string, unknown> = {}): Promise<HttpResponseInit> =>
    refuseAudited(root, { who, action: "alert" }, status, title, detail, extra);

  const caller = await authenticateAlertCaller(root.alertAuth, (name) => request.headers.get(name), request.query);
  if (!caller.ok) return refuse(caller.status, caller.status === 401 ? "Unauthorized" : "Forbidden", caller.reason);
  const who = caller.principal.name;

  const contentType = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(contentType)) return refuse(415, "Unsupported media type", `expected application/json, got '${contentType || "none"}'`, who);
  if (Number(request.headers.get("content-length") ?? 0) > MAX_ALERT_BYTES) return refuse(413, "Payload too large", `alerts are limited to ${MAX_ALERT_BYTES} bytes`, who);
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_ALERT_BYTES) return refuse(413, "Payload too large", `alerts are limited to ${MAX_ALERT_BYTES} bytes`, who);

  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return refuse(400, "Malformed JSON", error instanceof Error ? error.message : "the body is not JSON", who);
  }

  const outcome = await root.alertsFor(invocationLogger(context)).handleAlert(body, who);
  if (outcome.status === "rejected") {
    // The first problem's path names the field (data.essentials.alertId); docs/http-api.md lists the limits.
    const field = (outcome.problems[0] ?? "").split(":")[0]?.split(".").pop() ?? "(body)";
    return problem(400, "Not a common-schema alert", outcome.problems.join("; "), { problems: outcome.problems, field });
  }
  const { decision } = outcome;
  return { status: decision.outcome === "duplicate" ? 200 : 202, jsonBody: decision };
}

export const alertsHttp = { methods: ["POST" as const], route: "alerts", authLevel: "anonymous" as const, handler: handleAlertRequest };

app.http(FUNCTION_NAMES.alerts, alertsHttp);
