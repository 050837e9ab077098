import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createTokenVerifier, type TokenVerifier } from "../../shared/auth/tokenVerifier.js";

const TENANT = "00000000-0000-4000-8000-00000000d0c5";
const OTHER_TENANT = "11111111-0000-4000-8000-00000000d0c5";
const V1_ISSUER = `https://sts.windows.net/${TENANT}/`;
const AUDIENCE = "api://dr-automation";
let sign: (claims: JWTPayload) => Promise<string>;
let verify: TokenVerifier;

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256" };
  verify = createTokenVerifier({
    keys: createLocalJWKSet({ keys: [jwk] }),
    issuers: [`https://login.microsoftonline.com/${TENANT}/v2.0`, V1_ISSUER],
    audiences: [AUDIENCE],
  });
  sign = (claims) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setIssuer(V1_ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(privateKey);
});

describe("Entra ID token verification", () => {
  it("names the principal by canonical object id and tenant, from a v1 token like the Action Group's", async () => {
    const result = await verify(
      await sign({
        oid: "{0A1B2C3D-0000-4000-8000-00000000ABCD}",
        tid: TENANT.toUpperCase(),
        appid: "461e8683-5575-4561-ac7f-899cc907d62a",
        roles: ["ActionGroupsSecureWebhook"],
      }),
    );
    expect(result).toEqual({
      ok: true,
      principal: { id: `0a1b2c3d-0000-4000-8000-00000000abcd.${TENANT}`, name: "461e8683-5575-4561-ac7f-899cc907d62a", roles: ["ActionGroupsSecureWebhook"] },
    });
  });

  it("takes the tenant from the issuer when the token has no tid, and refuses a tid of another tenant", async () => {
    expect(await verify(await sign({ oid: "0a1b2c3d-0000-4000-8000-00000000abcd" }))).toMatchObject({
      ok: true,
      principal: { id: `0a1b2c3d-0000-4000-8000-00000000abcd.${TENANT}` },
    });
    expect(await verify(await sign({ oid: "0a1b2c3d-0000-4000-8000-00000000abcd", tid: OTHER_TENANT }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/tenant of its issuer/),
    });
  });
});
