import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { getAppRoot } from "../shared/appRoot.js";
import { authorizeUser } from "./authorizeUser.js";
import { refuseAudited } from "./refuseAudited.js";
import { INCIDENT_ID_MAX_LENGTH, runIdProblem } from "./requestLimits.js";

export const DEFAULT_AUDIT_LIMIT = 200;
export const MAX_AUDIT_LIMIT = 1000;

/** GET /api/audit?runId=&incidentId=&limit= (reader): the append-only audit trail, newest first. */
export async function listAudit(request: HttpRequest): Promise<HttpResponseInit> {
  const root = await getAppRoot();
  const auth = await authorizeUser(root, request, "reader", "read audit");
  if (!auth.ok) return auth.response;
  const runId = request.query.get("runId") || undefined;
  const incidentId = request.query.get("incidentId") || undefined;
  const limitText = request.query.get("limit");
  const limit = limitText === null ? DEFAULT_AUDIT_LIMIT : Number(limitText);
  const refuse = (field: string, detail: string) => refuseAudited(root, { who: auth.principal.name, action: "read audit" }, 400, "Invalid request", `${field}: ${detail}`, { field });
  if (!/^\d{1,4}$/.test(limitText ?? "1") || !Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_LIMIT) return refuse("limit", `a whole number from 1 to ${MAX_AUDIT_LIMIT}`);
  const badRunId = runId === undefined ? undefined : runIdProblem(runId);
  if (badRunId) return refuse("runId", badRunId);
  if (incidentId !== undefined && incidentId.length > INCIDENT_ID_MAX_LENGTH) return refuse("incidentId", `1 to ${INCIDENT_ID_MAX_LENGTH} characters`);
  const entries = await root.audit.list({ ...(runId ? { runId } : {}), ...(incidentId ? { incidentId } : {}), limit });
  return { jsonBody: { entries, ...(entries.length >= limit ? { truncated: true } : {}) } };
}

export const auditHttp = { methods: ["GET" as const], route: "audit", authLevel: "anonymous" as const, handler: listAudit };

app.http("listAudit", auditHttp);
