import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { z } from "zod";
import { getAppRoot } from "../shared/appRoot.js";
import { readJsonBody } from "./failover.js";
import { authorizeUser } from "./authorizeUser.js";
import { issueProblem } from "../shared/engine/failoverRequest.js";
import { problem } from "./httpProblem.js";
import { refuseAudited } from "./refuseAudited.js";
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
    const named = issue ? issueProblem(issue) : undefined;
    const detail = body.ok ? `${named?.field ?? "(body)"}: ${named?.message ?? "invalid"}` : body.detail;
    const refused = { who: auth.principal.name, action: "kill switch" };
    return refuseAudited(root, refused, body.ok ? 400 : body.status, body.ok ? "Invalid request" : body.title, detail, body.ok ? { field: named?.field ?? "(body)" } : {});
  }
  const state = await root.alertsFor(invocationLogger(context)).setKillSwitch(parsed.data.on, auth.principal.name, parsed.data.reason);
  return { status: 200, jsonBody: { killSwitch: state.killSwitch } };
}

/**
 * POST /api/incidents/approve (approver): approves the failover the alert policy waits for (after an
 * approval gate, an uncorroborated signal, or a start the run lock refused during a drill), or
 * confirms the outage as the second signal a pending site failover waits for.
 */
export async function handleIncidentApproval(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const root = await getAppRoot();
  const auth = await authorizeUser(root, request, "approver", "approve incident failover");
  if (!auth.ok) return auth.response;
  const decision = await root.alertsFor(invocationLogger(context)).approve(auth.principal.name);
  if (decision.outcome === "ignored") return problem(409, "Nothing to approve", decision.reason, { decision });
  // Approved, but another run (a drill) still holds the estate's run lock: nothing started.
  if (decision.outcome === "blockedByRunLock" || decision.outcome === "blockedByKillSwitch") return problem(409, "Not started", decision.reason, { decision });
  return { status: decision.runId ? 202 : 200, ...(decision.runId ? { headers: { location: new URL(`/api/runs/${encodeURIComponent(decision.runId)}`, request.url).toString(), "retry-after": "30" } } : {}), jsonBody: decision };
}

export const killSwitchHttp = {
  killSwitch: { methods: ["POST" as const], route: "killswitch", authLevel: "anonymous" as const, handler: handleKillSwitch },
  approveIncident: { methods: ["POST" as const], route: "incidents/approve", authLevel: "anonymous" as const, handler: handleIncidentApproval },
};

app.http("killSwitch", killSwitchHttp.killSwitch);
app.http("approveIncident", killSwitchHttp.approveIncident);
