import type { HttpRoute } from "../hostTypes.js";
import { INCIDENT_ID_MAX_LENGTH, runIdProblem } from "./limits.js";
import { userRoute } from "./route.js";

export const DEFAULT_AUDIT_LIMIT = 200;
export const MAX_AUDIT_LIMIT = 1000;

/** GET /api/audit?runId=&incidentId=&limit= (reader): the append-only audit trail, newest first. */
export const listAudit: HttpRoute = userRoute({
  name: "listAudit",
  methods: ["GET"],
  route: "audit",
  role: "reader",
  action: "read audit",
  async handle({ root, request, refuse }) {
    const runId = request.query.get("runId") || undefined;
    const incidentId = request.query.get("incidentId") || undefined;
    const limitText = request.query.get("limit");
    const limit = limitText === null ? DEFAULT_AUDIT_LIMIT : Number(limitText);
    const invalid = (field: string, detail: string) => refuse("invalid", `${field}: ${detail}`, { field });
    if (!/^\d{1,4}$/.test(limitText ?? "1") || !Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_LIMIT)
      return invalid("limit", `a whole number from 1 to ${MAX_AUDIT_LIMIT}`);
    const badRunId = runId === undefined ? undefined : runIdProblem(runId);
    if (badRunId) return invalid("runId", badRunId);
    if (incidentId !== undefined && incidentId.length > INCIDENT_ID_MAX_LENGTH) return invalid("incidentId", `1 to ${INCIDENT_ID_MAX_LENGTH} characters`);
    const entries = await root.audit.list({ ...(runId ? { runId } : {}), ...(incidentId ? { incidentId } : {}), limit });
    return { jsonBody: { entries, ...(entries.length >= limit ? { truncated: true } : {}) } };
  },
});
