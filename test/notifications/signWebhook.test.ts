import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { signWebhook, verifyWebhookSignature } from "../../shared/notifications/signWebhook.js";
import { SIGNING_KEY } from "./fixtures.js";

const at = new Date("2026-11-25T02:00:00.000Z");
const body = JSON.stringify({ id: "run-1:runStarted", data: { summary: "Failover started" } });

describe("webhook signature (HMAC-SHA256, timestamped)", () => {
  it("is t=<unix seconds>,v1=<hex HMAC of `${t}.${body}`>, as the recipe in docs/notifications.md computes it", () => {
    const header = signWebhook(body, [SIGNING_KEY], at);
    const t = Math.floor(at.getTime() / 1000);
    expect(header).toBe(`t=${t},v1=${createHmac("sha256", SIGNING_KEY).update(`${t}.${body}`).digest("hex")}`);
  });

  it("verifies round trip, for any body and key", () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 32 }), (anyBody, key) => {
        expect(verifyWebhookSignature(anyBody, signWebhook(anyBody, [key], at), key, at)).toEqual({ ok: true, timestamp: at.getTime() / 1000 });
      }),
    );
  });

  it("rejects a changed body, another key, a stale or future timestamp, and a missing or malformed header", () => {
    const header = signWebhook(body, [SIGNING_KEY], at);
    expect(verifyWebhookSignature(`${body} `, header, SIGNING_KEY, at)).toEqual({ ok: false, reason: "signature mismatch" });
    expect(verifyWebhookSignature(body, header, "another key of enough length 0123456789", at)).toEqual({ ok: false, reason: "signature mismatch" });
    expect(verifyWebhookSignature(body, header, SIGNING_KEY, new Date(at.getTime() + 301_000))).toEqual({
      ok: false,
      reason: "timestamp outside the tolerance",
    });
    expect(verifyWebhookSignature(body, header, SIGNING_KEY, new Date(at.getTime() - 301_000))).toEqual({
      ok: false,
      reason: "timestamp outside the tolerance",
    });
    expect(verifyWebhookSignature(body, header, SIGNING_KEY, new Date(at.getTime() + 299_000)).ok).toBe(true);
    expect(verifyWebhookSignature(body, undefined, SIGNING_KEY, at).ok).toBe(false);
    expect(verifyWebhookSignature(body, "v1=abcd", SIGNING_KEY, at)).toEqual({ ok: false, reason: "no timestamp" });
    expect(verifyWebhookSignature(body, `t=${at.getTime() / 1000}`, SIGNING_KEY, at)).toEqual({ ok: false, reason: "no v1 signature" });
    expect(verifyWebhookSignature(body, `t=${at.getTime() / 1000},v1=zz`, SIGNING_KEY, at).ok).toBe(false);
  });

  it("signs with every key during a rotation, so receivers on either key accept", () => {
    const newKey = "n".repeat(40);
    const header = signWebhook(body, [SIGNING_KEY, newKey], at);
    expect(header.split(",").filter((p) => p.startsWith("v1="))).toHaveLength(2);
    expect(verifyWebhookSignature(body, header, SIGNING_KEY, at).ok).toBe(true);
    expect(verifyWebhookSignature(body, header, newKey, at).ok).toBe(true);
  });
});
