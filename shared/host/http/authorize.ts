import type { AppRoot } from "../../root/appRoot.js";
import { authenticateBearer, requireRole } from "../../auth/authenticate.js";
import { parseClientPrincipal } from "../../auth/clientPrincipal.js";
import type { AuthResult, Principal } from "../../auth/principal.js";
import { rolesAllowing, type Role } from "../../auth/roles.js";
import { boundedText } from "../../runs/failoverRequest.js";
import type { ApiRequest, ApiResponse } from "../hostTypes.js";
import { isBrowserNavigation, loginRedirect } from "./browserLogin.js";
import { RUN_ID_PATTERN } from "./limits.js";
import { problem, REFUSALS } from "./problem.js";

/**
 * Authenticates the caller (a bearer token verified against Entra ID, or, behind App Service
 * authentication only, its x-ms-client-principal) and checks the role. Every request is audited:
 * who, what, and whether it was let in.
 */
export async function authorizeUser(
  root: AppRoot,
  request: ApiRequest,
  role: Role,
  action: string,
): Promise<{ ok: true; principal: Principal } | { ok: false; response: ApiResponse }> {
  const identity = await identify(root, request);
  const result: AuthResult = identity.ok ? requireRole(identity.principal, rolesAllowing(role)) : identity;
  const who = boundedText(identity.ok ? identity.principal.name : "unknown caller", 200);
  const at = root.clock.now().toISOString();
  // A run id is filed as such only when it is one; the route refuses any other with a 400.
  const runId = request.params["runId"] !== undefined && RUN_ID_PATTERN.test(request.params["runId"]) ? request.params["runId"] : undefined;
  if (result.ok) {
    await root.audit.append({
      at,
      who,
      action,
      result: "allowed",
      ...(runId ? { runId } : {}),
      detail: boundedText(`${request.method} ${new URL(request.url).pathname} as ${role}`),
    });
    return result;
  }
  await root.audit.append({ at, who, action, result: `refused ${result.status}`, ...(runId ? { runId } : {}), detail: boundedText(result.reason) });
  // A person's browser without a session is sent to sign in; a script keeps its 401 (browserLogin.ts).
  if (result.status === 401 && isBrowserNavigation(request)) return { ok: false, response: loginRedirect(request) };
  return { ok: false, response: problem(result.status, result.status === 401 ? REFUSALS.unauthorized.title : REFUSALS.forbidden.title, result.reason) };
}

async function identify(root: AppRoot, request: ApiRequest): Promise<AuthResult> {
  const header = (name: string) => request.headers.get(name);
  const fromAppService = header("x-ms-client-principal");
  if (fromAppService && !header("authorization") && root.runApi.settings.trustClientPrincipal) {
    const parsed = parseClientPrincipal(fromAppService);
    return parsed.ok ? { ok: true, principal: parsed.principal } : { ok: false, status: 401, reason: parsed.reason };
  }
  return authenticateBearer(root.verifyToken, header, []);
}
