import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { z } from "zod";
import { getAppRoot } from "../shared/appRoot.js";
import { readJsonBody } from "./failover.js";
import { authorizeUser } from "./authorizeUser.js";
import { problem } from "./httpProblem.js";
import { invocationLogger } from "./invocationLogger.js";

const KillSwitchBody = z.strictObject({ on: z.boolean(), reason: z.string().trim().min(3, "say why, in a few words (at least 3 characters)").max(500) });

/**
 * POST /api/killswitch (admin) {on, reason}: while on, alerts start no failover and scheduled
 * drills are skipped; runs people start over HTTP are not affected (they are the override).
 */
export async function handleKillSwitch(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const root = await getAppRoot();
  const auth = await authorizeUser(root, request, "admin", "kill switch");
  if (!auth.ok) return auth.response;
  const body = await readJsonBody(request);
  const parsed = body.ok ? KillSwitchBody.safeParse(body.value) : undefined;
  if (!body.ok || !parsed?.success) {
    const issue = parsed?.success === false ? parsed.error.issues[0] : undefined;
    const field = issue && issue.path.length > 0 ? issue.path.map(String).join(".") : "(body)";
    const detail = body.ok ? `${field}: ${issue?.message ?? "invalid"}` : body.detail;
    await root.audit.append({ at: root.clock.now().toISOString(), who: auth.principal.name, action: "kill switch", result: `refused ${body.ok ? 400 : body.status}`, detail });
    return problem(body.ok ? 400 : body.status, body.ok ? "Invalid request" : body.title, detail, body.ok ? { field } : {});
  }
  const state = await root.alertsFor(invocationLogger(context)).setKillSwitch(parsed.data.on, auth.principal.name, parsed.data.reason);
  return { status: 200, jsonBody: { killSwitch: state.killSwitch } };
}

/** POST /api/incidents/approve (approver): the approval the alert policy waits for before a full failover. */
export async function handleIncidentApproval(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const root = await getAppRoot();
  const auth = await authorizeUser(root, request, "approver", "approve incident failover");
  if (!auth.ok) return auth.response;
  const decision = await root.alertsFor(invocationLogger(context)).approve(auth.principal.name);
  if (decision.outcome === "ignored") return problem(409, "Nothing to approve", decision.reason, { decision });
  return { status: decision.runId ? 202 : 200, ...(decision.runId ? { headers: { location: new URL(`/api/runs/${encodeURIComponent(decision.runId)}`, request.url).toString(), "retry-after": "30" } } : {}), jsonBody: decision };
}

export const killSwitchHttp = {
  killSwitch: { methods: ["POST" as const], route: "killswitch", authLevel: "anonymous" as const, handler: handleKillSwitch },
  approveIncident: { methods: ["POST" as const], route: "incidents/approve", authLevel: "anonymous" as const, handler: handleIncidentApproval },
};

app.http("killSwitch", killSwitchHttp.killSwitch);
app.http("approveIncident", killSwitchHttp.approveIncident);
