import { createHmac, timingSafeEqual } from "node:crypto";

/** Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=...]` (one v1 per signing key). */
export const SIGNATURE_HEADER = "x-dr-signature";
/** Receivers reject a request whose timestamp is further than this from their clock (replays). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** HMAC-SHA256 of `${t}.${body}` with the key's UTF-8 bytes, in hex. */
export function computeSignature(key: string, timestamp: number, body: string): string {
  return createHmac("sha256", key).update(`${timestamp}.${body}`, "utf8").digest("hex");
}

/**
 * The signature header value for a body about to be sent. Several keys (rotation) give several
 * `v1` entries; a receiver accepts the request when any of them matches a key it holds.
 */
export function signWebhook(body: string, keys: readonly string[], at: Date): string {
  const timestamp = Math.floor(at.getTime() / 1000);
  return [`t=${timestamp}`, ...keys.map((key) => `v1=${computeSignature(key, timestamp, body)}`)].join(",");
}

export type VerifyResult = { readonly ok: true; readonly timestamp: number } | { readonly ok: false; readonly reason: string };

/**
 * What a receiver does (docs/notifications.md has the same recipe for other languages): parse the
 * header, refuse stale timestamps, recompute the HMAC over the raw body bytes exactly as received,
 * and compare in constant time.
 */
export function verifyWebhookSignature(
  body: string,
  header: string | undefined,
  key: string,
  now: Date,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): VerifyResult {
  if (!header) return { ok: false, reason: "no signature header" };
  const parts = header.split(",").map((p) => p.trim().split("=", 2) as [string, string | undefined]);
  const timestamp = Number(parts.find(([k]) => k === "t")?.[1]);
  const signatures = parts.filter(([k, v]) => k === "v1" && v !== undefined).map(([, v]) => v as string);
  if (!Number.isInteger(timestamp)) return { ok: false, reason: "no timestamp" };
  if (signatures.length === 0) return { ok: false, reason: "no v1 signature" };
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return { ok: false, reason: "timestamp outside the tolerance" };
  const expected = Buffer.from(computeSignature(key, timestamp, body), "hex");
  const match = signatures.some((s) => {
    const given = Buffer.from(s, "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return match ? { ok: true, timestamp } : { ok: false, reason: "signature mismatch" };
}
