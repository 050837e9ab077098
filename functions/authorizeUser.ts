import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { AppRoot } from "../shared/appRoot.js";
import { authenticateBearer, requireRole } from "../shared/auth/authenticate.js";
import { parseClientPrincipal } from "../shared/auth/clientPrincipal.js";
import type { AuthResult, Principal } from "../shared/auth/principal.js";
import { rolesAllowing, type Role } from "../shared/auth/roles.js";
import { boundedText } from "../shared/engine/failoverRequest.js";
import { problem } from "./httpProblem.js";
import { RUN_ID_PATTERN } from "./requestLimits.js";

/**
 * Authenticates the caller (a bearer token verified against Entra ID, or, behind App Service
 * authentication only, its x-ms-client-principal) and checks the role. Every request is audited:
 * who, what, and whether it was let in.
 */
export async function authorizeUser(root: AppRoot, request: HttpRequest, role: Role, action: string): Promise<{ ok: true; principal: Principal } | { ok: false; response: HttpResponseInit }> {
  const identity = await identify(root, request);
  const result: AuthResult = identity.ok ? requireRole(identity.principal, rolesAllowing(role)) : identity;
  const who = boundedText(identity.ok ? identity.principal.name : "unknown caller", 200);
  const at = root.clock.now().toISOString();
  // A run id is filed as such only when it is one; the handler refuses any other with a 400.
  const runId = request.params.runId !== undefined && RUN_ID_PATTERN.test(request.params.runId) ? request.params.runId : undefined;
  if (result.ok) {
    await root.audit.append({ at, who, action, result: "allowed", ...(runId ? { runId } : {}), detail: boundedText(`${request.method} ${new URL(request.url).pathname} as ${role}`) });
    return result;
  }
  await root.audit.append({ at, who, action, result: `refused ${result.status}`, ...(runId ? { runId } : {}), detail: boundedText(result.reason) });
  return { ok: false, response: problem(result.status, result.status === 401 ? "Unauthorized" : "Forbidden", result.reason) };
}

async function identify(root: AppRoot, request: HttpRequest): Promise<AuthResult> {
  const header = (name: string) => request.headers.get(name);
  const fromAppService = header("x-ms-client-principal");
  if (fromAppService && !header("authorization") && root.runApi.settings.trustClientPrincipal) {
    const parsed = parseClientPrincipal(fromAppService);
    return parsed.ok ? { ok: true, principal: parsed.principal } : { ok: false, status: 401, reason: parsed.reason };
  }
  return authenticateBearer(root.verifyToken, header, []);
}
