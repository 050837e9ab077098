import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from "jose";
import type { Principal } from "./principal.js";
import { canonicalGuid, issuerTenant, principalId } from "./principalId.js";

/** Clock skew allowed between Entra ID and this host, for `exp`, `nbf` and `iat`. */
export const CLOCK_SKEW_SECONDS = 60;

export interface TokenVerifierOptions {
  /** Keys the tokens are signed with: Entra ID's published key set in Azure, a local one in tests. */
  readonly keys: JWTVerifyGetKey;
  /** Accepted issuers: Entra ID v1 (sts.windows.net) and v2 endpoints of the tenant. */
  readonly issuers: readonly string[];
  /** Accepted audiences: the API's application id URI and/or client id. */
  readonly audiences: readonly string[];
}

export type TokenVerifier = (token: string) => Promise<{ ok: true; principal: Principal } | { ok: false; reason: string }>;

/** Entra ID settings for a tenant: its published keys and both issuer forms. */
export function entraVerifierOptions(tenantId: string, audiences: readonly string[]): TokenVerifierOptions {
  return {
    keys: createRemoteJWKSet(new URL(`https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys`)),
    issuers: [`https://login.microsoftonline.com/${tenantId}/v2.0`, `https://sts.windows.net/${tenantId}/`],
    audiences,
  };
}

/**
 * Verifies signature, issuer, audience and lifetime of a bearer token and reads its roles. A token
 * must carry `exp` (no everlasting tokens) and must not claim to be issued in the future; its `tid`
 * must be the issuer's tenant. The principal id is the canonical object id and tenant.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, options.keys, {
        issuer: [...options.issuers],
        audience: [...options.audiences],
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ["exp"],
      });
      const nowSeconds = Math.floor(Date.now() / 1000);
      if (payload.iat !== undefined && payload.iat > nowSeconds + CLOCK_SKEW_SECONDS)
        return { ok: false, reason: "the token's iat (issued at) is in the future" };
      const tenant = tokenTenant(payload.iss, payload.tid);
      if (!tenant.ok) return tenant;
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === "string") : [];
      const objectId = typeof payload.oid === "string" ? payload.oid : payload.sub;
      if (objectId === undefined || objectId.trim() === "") return { ok: false, reason: "the token names no principal (neither oid nor sub)" };
      const id = principalId(objectId, tenant.tenantId);
      const name =
        [payload.preferred_username, payload.upn, payload.appid, payload.azp, canonicalGuid(objectId)].find((v): v is string => typeof v === "string") ?? id;
      return { ok: true, principal: { id, name, roles } };
    } catch (error) {
      const reason = error instanceof errors.JOSEError ? `${error.code}: ${error.message}` : "token could not be verified";
      return { ok: false, reason };
    }
  };
}

/** The tenant of a token: its `tid`, which must agree with the tenant its issuer names. */
function tokenTenant(issuer: string | undefined, tid: unknown): { ok: true; tenantId: string | undefined } | { ok: false; reason: string } {
  const fromIssuer = issuer === undefined ? undefined : issuerTenant(issuer);
  if (tid === undefined) return { ok: true, tenantId: fromIssuer };
  if (typeof tid !== "string") return { ok: false, reason: "the token's tid is not a string" };
  if (fromIssuer !== undefined && canonicalGuid(tid) !== fromIssuer) return { ok: false, reason: "the token's tid is not the tenant of its issuer" };
  return { ok: true, tenantId: canonicalGuid(tid) };
}
