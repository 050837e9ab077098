import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from "jose";
import { randomBytes, randomUUID } from "node:crypto";
import type { TokenVerifierOptions } from "../shared/auth/tokenVerifier.js";

const TENANT = "00000000-0000-4000-8000-00000000d0c5";
const AUDIENCE = "api://asr-dr-automation-local";

export interface DevIdentity {
  /** Verifier settings with this identity's locally generated key set: real checks, local keys. */
  readonly verifier: TokenVerifierOptions;
  /** A function key for the alert webhook in key mode. */
  readonly alertKey: string;
  issueToken(claims: { name: string; roles: readonly string[]; oid?: string; issuer?: string; audience?: string; expiresIn?: string | null; issuedAt?: number }): Promise<string>;
}

/** A local Entra-like issuer: an RS256 key pair, its key set, and tokens shaped like Entra ID's. */
export async function createDevIdentity(): Promise<DevIdentity> {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "dev-key", alg: "RS256", use: "sig" };
  const issuer = `https://login.microsoftonline.com/${TENANT}/v2.0`;
  return {
    verifier: { keys: createLocalJWKSet({ keys: [jwk] }), issuers: [issuer, `https://sts.windows.net/${TENANT}/`], audiences: [AUDIENCE] },
    alertKey: randomBytes(24).toString("base64url"),
    // expiresIn null leaves out exp; issuedAt (epoch seconds) sets iat: both only to test refusals.
    issueToken: (claims) => {
      const jwt = new SignJWT({ roles: [...claims.roles], oid: claims.oid ?? randomUUID(), preferred_username: claims.name })
        .setProtectedHeader({ alg: "RS256", kid: "dev-key" })
        .setIssuer(claims.issuer ?? issuer)
        .setAudience(claims.audience ?? AUDIENCE)
        .setIssuedAt(claims.issuedAt);
      return (claims.expiresIn === null ? jwt : jwt.setExpirationTime(claims.expiresIn ?? "8h")).sign(privateKey);
    },
  };
}
