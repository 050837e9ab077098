import { timingSafeEqual } from "node:crypto";
import type { AuthResult, HeaderLookup, Principal } from "./principal.js";
import type { TokenVerifier } from "./tokenVerifier.js";

/** The app role Azure Monitor's Action Group carries in its Secure Webhook tokens. */
export const ACTION_GROUP_ROLE = "ActionGroupsSecureWebhook";

export type AlertAuthMode = { readonly kind: "entra"; readonly verify: TokenVerifier } | { readonly kind: "key"; readonly key: string };

/**
 * Only the Action Group may post alerts: either a Secure Webhook token (issuer, audience and the
 * ActionGroupsSecureWebhook role checked) or the configured function key, never both at once.
 */
export async function authenticateAlertCaller(mode: AlertAuthMode, header: HeaderLookup, query: URLSearchParams): Promise<AuthResult> {
  if (mode.kind === "key") {
    const presented = header("x-functions-key") ?? query.get("code");
    if (!presented) return { ok: false, status: 401, reason: "a function key is required (x-functions-key header or code query parameter)" };
    if (!sameSecret(presented, mode.key)) return { ok: false, status: 401, reason: "the function key is not valid" };
    return { ok: true, principal: { id: "action-group", name: "action group (function key)", roles: [ACTION_GROUP_ROLE] } };
  }
  return authenticateBearer(mode.verify, header, [ACTION_GROUP_ROLE]);
}

/** A bearer token verified against Entra ID, then checked for one of the roles. */
export async function authenticateBearer(verify: TokenVerifier, header: HeaderLookup, anyOfRoles: readonly string[]): Promise<AuthResult> {
  const authorization = header("authorization");
  const match = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
  if (!match?.[1]) return { ok: false, status: 401, reason: "a bearer token is required" };
  const verified = await verify(match[1]);
  if (!verified.ok) return { ok: false, status: 401, reason: verified.reason };
  return requireRole(verified.principal, anyOfRoles);
}

export function requireRole(principal: Principal, anyOfRoles: readonly string[]): AuthResult {
  if (anyOfRoles.length > 0 && !principal.roles.some((r) => anyOfRoles.includes(r))) {
    return { ok: false, status: 403, reason: `${principal.name} lacks the role (${anyOfRoles.join(" or ")})` };
  }
  return { ok: true, principal };
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
