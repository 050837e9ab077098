import { AsyncLocalStorage } from "node:async_hooks";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import type { ArmBudgetPort, ArmCost, ArmUsage } from "../ports/armBudget.js";
import type { Clock } from "../ports/clock.js";

/**
 * ARM's subscription limits per principal and region, as documented since the 2024 move to token
 * buckets ("Understand how Azure Resource Manager throttles requests",
 * learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling): reads
 * 250 refilled at 25 per second, writes 200 refilled at 10 per second.
 */
const BUCKETS = { reads: { size: 250, refillPerSecond: 25 }, writes: { size: 200, refillPerSecond: 10 } } as const;
type Kind = keyof typeof BUCKETS;

/**
 * Kept untouched for what is not booked: another instance of the app, a person's call, a redelivery.
 * The write reserve also covers a burst of writes from one instance's concurrent handlers.
 */
const RESERVE: Readonly<Record<Kind, number>> = { reads: 50, writes: 30 };

interface Mirror {
  /** Tokens left at `at` (ms); `at` runs ahead of the clock while booked work waits to start. */
  tokens: number;
  at: number;
}

interface Counter {
  reads: number;
  writes: number;
  throttled: number;
  lowestRemainingReads?: number;
  lowestRemainingWrites?: number;
}

export interface ArmBudget {
  readonly port: ArmBudgetPort;
  /** Added to every ARM client's pipeline, after its retry policy, so each attempt is seen. */
  readonly policy: PipelinePolicy;
}

/**
 * This process's view of the subscription's ARM budget: a mirror of each token bucket, lowered to what
 * ARM reports in x-ms-ratelimit-remaining-subscription-reads / -writes, from which booked work takes its
 * tokens ahead of time. Booking is what keeps a 1,000-VM run inside the budget: the engine books each
 * step's requests when it enqueues the step and delays its message until the tokens are there, so no
 * request is sent into an empty bucket.
 */
export function createArmBudget(clock: Clock): ArmBudget {
  const mirrors: Record<Kind, Mirror> = { reads: fullMirror("reads", clock), writes: fullMirror("writes", clock) };
  const measuring = new AsyncLocalStorage<Counter>();

  const tokensAt = (kind: Kind, t: number): number => {
    const mirror = mirrors[kind];
    if (t <= mirror.at) return mirror.tokens;
    return Math.min(BUCKETS[kind].size, mirror.tokens + ((t - mirror.at) / 1000) * BUCKETS[kind].refillPerSecond);
  };

  const report = (kind: Kind, remaining: number): void => {
    const now = clock.now().getTime();
    const mirror = mirrors[kind];
    // While booked work is still ahead, the mirror already counts it: ARM's figure cannot add to that.
    if (mirror.at > now) return;
    mirrors[kind] = { tokens: Math.min(tokensAt(kind, now), remaining), at: now };
  };

  const port: ArmBudgetPort = {
    async measure(work) {
      const counter: Counter = { reads: 0, writes: 0, throttled: 0 };
      const value = await measuring.run(counter, work);
      return { value, usage: usageOf(counter) };
    },
    book(cost: ArmCost, now: Date) {
      const t0 = Math.max(now.getTime(), mirrors.reads.at, mirrors.writes.at);
      let start = t0;
      for (const kind of ["reads", "writes"] as const) {
        const need = cost[kind] + RESERVE[kind];
        const shortBy = need - tokensAt(kind, start);
        if (cost[kind] > 0 && shortBy > 0) start = Math.max(start, t0 + Math.ceil((shortBy / BUCKETS[kind].refillPerSecond) * 1000));
      }
      for (const kind of ["reads", "writes"] as const) if (cost[kind] > 0) mirrors[kind] = { tokens: tokensAt(kind, start) - cost[kind], at: start };
      return Math.max(0, (start - now.getTime()) / 1000);
    },
    readPressure(now) {
      const share = tokensAt("reads", now.getTime()) / BUCKETS.reads.size;
      return share >= 0.5 ? 1 : share >= 0.25 ? 2 : 4;
    },
  };

  const policy: PipelinePolicy = {
    name: "armBudget",
    async sendRequest(request, next) {
      const counter = measuring.getStore();
      const kind: Kind = request.method === "GET" || request.method === "HEAD" ? "reads" : "writes";
      if (counter) counter[kind] += 1;
      const response = await next(request);
      if (counter && response.status === 429) counter.throttled += 1;
      for (const k of ["reads", "writes"] as const) {
        const remaining = Number(response.headers.get(`x-ms-ratelimit-remaining-subscription-${k}`));
        if (response.headers.get(`x-ms-ratelimit-remaining-subscription-${k}`) === undefined || !Number.isFinite(remaining)) continue;
        report(k, remaining);
        if (counter) {
          const key = k === "reads" ? "lowestRemainingReads" : "lowestRemainingWrites";
          counter[key] = Math.min(counter[key] ?? remaining, remaining);
        }
      }
      return response;
    },
  };
  return { port, policy };
}

function fullMirror(kind: Kind, clock: Clock): Mirror {
  return { tokens: BUCKETS[kind].size, at: clock.now().getTime() };
}

function usageOf(counter: Counter): ArmUsage {
  return {
    reads: counter.reads,
    writes: counter.writes,
    throttled: counter.throttled,
    ...(counter.lowestRemainingReads !== undefined ? { lowestRemainingReads: counter.lowestRemainingReads } : {}),
    ...(counter.lowestRemainingWrites !== undefined ? { lowestRemainingWrites: counter.lowestRemainingWrites } : {}),
  };
}
