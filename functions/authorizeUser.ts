import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { AppRoot } from "../shared/appRoot.js";
import { authenticateBearer } from "../shared/auth/authenticate.js";
import type { Principal } from "../shared/auth/principal.js";
import { rolesAllowing, type Role } from "../shared/auth/roles.js";
import { problem } from "./httpProblem.js";

/** Authenticates an operator's bearer token and checks the role; refusals are audited. */
export async function authorizeUser(root: AppRoot, request: HttpRequest, role: Role, action: string): Promise<{ ok: true; principal: Principal } | { ok: false; response: HttpResponseInit }> {
  const result = await authenticateBearer(root.verifyToken, (name) => request.headers.get(name), rolesAllowing(role));
  if (result.ok) return result;
  await root.audit.append({ at: root.clock.now().toISOString(), who: "unknown caller", action, result: `refused ${result.status}`, detail: result.reason });
  return { ok: false, response: problem(result.status, result.status === 401 ? "Unauthorized" : "Forbidden", result.reason) };
}
