import { createHmac, timingSafeEqual } from "node:crypto";
import { CONDITIONS, PeerError } from "./peerError.js";

export interface SharedAccessKey {
  readonly name: string;
  readonly key: string;
}

/**
 * Checks a SharedAccessSignature as Service Bus does (HMAC-SHA256 of the URL-encoded resource and
 * the expiry, signed with the named key, not expired) and returns the resource it grants.
 */
export function verifySasToken(token: string, key: SharedAccessKey, nowSeconds: number): string {
  const prefix = "SharedAccessSignature ";
  if (!token.startsWith(prefix)) throw new PeerError(CONDITIONS.unauthorized, "the token is not a SharedAccessSignature");
  const fields = new Map(
    token
      .slice(prefix.length)
      .split("&")
      .map((pair) => pair.split("=", 2) as [string, string]),
  );
  const [sr, sig, se, skn] = [fields.get("sr"), fields.get("sig"), fields.get("se"), fields.get("skn")];
  if (!sr || !sig || !se || !skn) throw new PeerError(CONDITIONS.unauthorized, "a SharedAccessSignature needs sr, sig, se and skn");
  if (decodeURIComponent(skn) !== key.name) throw new PeerError(CONDITIONS.unauthorized, `unknown shared access key '${decodeURIComponent(skn)}'`);
  const expected = createHmac("sha256", key.key).update(`${sr}\n${se}`).digest();
  const given = Buffer.from(decodeURIComponent(sig), "base64");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new PeerError(CONDITIONS.unauthorized, "the SharedAccessSignature does not match the key");
  if (Number(se) <= nowSeconds) throw new PeerError(CONDITIONS.unauthorized, "the SharedAccessSignature has expired");
  return decodeURIComponent(sr);
}
