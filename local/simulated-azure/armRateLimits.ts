/**
 * ARM's subscription throttling for one principal, as Microsoft documents it since the 2024 move to
 * regional token buckets ("Understand how Azure Resource Manager throttles requests",
 * learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling;
 * MicrosoftDocs/azure-docs articles/azure-resource-manager/management/request-limits-and-throttling.md):
 * per subscription, principal and operation type a bucket of 250 reads refilled at 25 per second, and
 * of 200 writes (and 200 deletes) refilled at 10 per second. Every answer tells what is left:
 * `x-ms-ratelimit-remaining-subscription-reads` on reads and `-writes` on writes (the same article;
 * recorded on ASR's action POSTs, test/fixtures/azure/asr-inmagercm-recorded-details.md). An empty bucket
 * answers 429 with Retry-After. Deletes share the write bucket here: the product deletes nothing through ARM.
 * Refill follows the simulated clock, so a frozen clock refills only as the drain moves time.
 */
export const ARM_BUCKETS = { reads: { size: 250, refillPerSecond: 25 }, writes: { size: 200, refillPerSecond: 10 } } as const;

export type ArmOperationKind = keyof typeof ARM_BUCKETS;

export interface ArmRateLimiter {
  /** Takes a token for one request at `now`: what is left after it, or the seconds to wait when none is left. */
  take(kind: ArmOperationKind, now: Date): { readonly remaining: number } | { readonly retryAfterSeconds: number };
  /** The header that reports what is left of a kind's bucket. */
  header(kind: ArmOperationKind): string;
}

/** `enforce` false: the buckets are counted and reported, a request is never refused (remaining stops at 0). */
export function createArmRateLimiter(enforce: boolean): ArmRateLimiter {
  const buckets = {
    reads: { tokens: ARM_BUCKETS.reads.size as number, at: undefined as number | undefined },
    writes: { tokens: ARM_BUCKETS.writes.size as number, at: undefined as number | undefined },
  };
  return {
    take(kind, now) {
      const { size, refillPerSecond } = ARM_BUCKETS[kind];
      const bucket = buckets[kind];
      const t = now.getTime();
      if (bucket.at !== undefined && t > bucket.at) bucket.tokens = Math.min(size, bucket.tokens + ((t - bucket.at) / 1000) * refillPerSecond);
      bucket.at = Math.max(bucket.at ?? t, t);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { remaining: Math.floor(bucket.tokens) };
      }
      if (!enforce) return { remaining: 0 };
      return { retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerSecond)) };
    },
    header: (kind) => `x-ms-ratelimit-remaining-subscription-${kind}`,
  };
}
