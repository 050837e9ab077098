import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from "jose";
import type { Principal } from "./principal.js";

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

/** Verifies signature, issuer, audience and lifetime of a bearer token and reads its roles. */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, options.keys, { issuer: [...options.issuers], audience: [...options.audiences], clockTolerance: 60 });
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === "string") : [];
      const id = typeof payload.oid === "string" ? payload.oid : (payload.sub ?? "unknown");
      const name = [payload.preferred_username, payload.upn, payload.appid, payload.azp, id].find((v): v is string => typeof v === "string") ?? id;
      return { ok: true, principal: { id, name, roles } };
    } catch (error) {
      const reason = error instanceof errors.JOSEError ? `${error.code}: ${error.message}` : "token could not be verified";
      return { ok: false, reason };
    }
  };
}
