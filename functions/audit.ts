import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { getAppRoot } from "../shared/appRoot.js";
import { authorizeUser } from "./authorizeUser.js";
import { problem } from "./httpProblem.js";

export const DEFAULT_AUDIT_LIMIT = 200;
export const MAX_AUDIT_LIMIT = 1000;

/** GET /api/audit?runId=&incidentId=&limit= (reader): the append-only audit trail, newest first. */
export async function listAudit(request: HttpRequest): Promise<HttpResponseInit> {
  const root = await getAppRoot();
  const auth = await authorizeUser(root, request, "reader", "read audit");
  if (!auth.ok) return auth.response;
  const runId = request.query.get("runId") ?? undefined;
  const incidentId = request.query.get("incidentId") ?? undefined;
  const limitText = request.query.get("limit");
  const limit = limitText === null ? DEFAULT_AUDIT_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_LIMIT) return problem(400, "Invalid request", `limit: a whole number from 1 to ${MAX_AUDIT_LIMIT}`, { field: "limit" });
  const entries = await root.audit.list({ ...(runId ? { runId } : {}), ...(incidentId ? { incidentId } : {}), limit });
  return { jsonBody: { entries, ...(entries.length >= limit ? { truncated: true } : {}) } };
}

export const auditHttp = { methods: ["GET" as const], route: "audit", authLevel: "anonymous" as const, handler: listAudit };

app.http("listAudit", auditHttp);
