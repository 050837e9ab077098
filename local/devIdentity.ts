import { createLocalJWKSet, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from "jose";
import { randomBytes, randomUUID } from "node:crypto";
import type { TokenVerifierOptions } from "../shared/auth/tokenVerifier.js";

const TENANT = "00000000-0000-4000-8000-00000000d0c5";
const AUDIENCE = "api://asr-dr-automation-local";

export interface DevIdentity {
  /** Verifier settings with this identity's locally generated key set: real checks, local keys. */
  readonly verifier: TokenVerifierOptions;
  /** A function key for the alert webhook in key mode. */
  readonly alertKey: string;
  issueToken(claims: {
    name: string;
    roles: readonly string[];
    oid?: string;
    issuer?: string;
    audience?: string;
    expiresIn?: string | null;
    issuedAt?: number;
  }): Promise<string>;
  /** The signing key (private JWK) and the alert key, for a sandbox whose tokens must outlive its process. */
  exportKeys(): Promise<DevIdentityKeys>;
}

export interface DevIdentityKeys {
  readonly signingKey: JWK;
  readonly alertKey: string;
}

/**
 * A local Entra-like issuer: an RS256 key pair, its key set, and tokens shaped like Entra ID's.
 * `keys` (from exportKeys) signs and verifies with a saved key instead of a new one.
 */
export async function createDevIdentity(keys?: DevIdentityKeys): Promise<DevIdentity> {
  const { publicKey, privateKey } = keys ? await importKeyPair(keys.signingKey) : await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: "dev-key", alg: "RS256", use: "sig" };
  const alertKey = keys?.alertKey ?? randomBytes(24).toString("base64url");
  const issuer = `https://login.microsoftonline.com/${TENANT}/v2.0`;
  return {
    verifier: { keys: createLocalJWKSet({ keys: [jwk] }), issuers: [issuer, `https://sts.windows.net/${TENANT}/`], audiences: [AUDIENCE] },
    alertKey,
    exportKeys: async () => ({ signingKey: await exportJWK(privateKey), alertKey }),
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

/** The key pair of a saved private JWK (its public half is in it: n and e). */
async function importKeyPair(signingKey: JWK): Promise<{ publicKey: CryptoKey; privateKey: CryptoKey }> {
  if (signingKey.kty !== "RSA" || typeof signingKey.n !== "string" || typeof signingKey.e !== "string" || typeof signingKey.d !== "string")
    throw new Error("the saved signing key is not an RSA private key");
  const [privateKey, publicKey] = await Promise.all([
    importJWK(signingKey, "RS256", { extractable: true }),
    importJWK({ kty: "RSA", n: signingKey.n, e: signingKey.e }, "RS256"),
  ]);
  // importJWK gives bytes only for symmetric ("oct") keys, which the check above rules out.
  if (privateKey instanceof Uint8Array || publicKey instanceof Uint8Array) throw new Error("the saved signing key is not an RSA key");
  return { publicKey, privateKey };
}

/** The tenant and audience of every local token: the local hosts' AUTH_TENANT_ID and AUTH_AUDIENCES. */
export { TENANT as DEV_TENANT, AUDIENCE as DEV_AUDIENCE };
