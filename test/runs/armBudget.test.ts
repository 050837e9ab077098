import { describe, expect, it } from "vitest";
import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { createArmBudget } from "../../shared/adapters/armBudget.js";
import { createAzurePorts } from "../../shared/adapters/azurePorts.js";
import { SimulatedClock } from "../../local/simulatedClock.js";
import { createSimulatedAzure } from "../../local/simulated-azure/simulatedAzure.js";
import { protectedItemRef } from "../../shared/runs/executors/estateLookup.js";
import { sampleEstate } from "../helpers.js";

const start = new Date("2026-11-25T02:00:00Z");

/** The real SDK clients over simulated ARM, its token buckets enforced. */
function portsOverSimulatedArm(armThrottling: boolean) {
  const estate = sampleEstate();
  const clock = new SimulatedClock(start, { realTime: false });
  const azure = createSimulatedAzure({ estate, clock, faults: { armThrottling } });
  const ports = createAzurePorts({
    credential: azure.credential,
    subscriptionId: estate.subscriptionId,
    httpClient: azure.httpClient,
    retryOptions: { maxRetries: 0 },
    clock,
  });
  return { estate, clock, azure, ports };
}

describe("ARM's request budget", () => {
  it("simulated ARM reports what is left of each bucket and answers 429 with Retry-After once the read bucket is empty", async () => {
    const { estate, ports, azure } = portsOverSimulatedArm(true);
    const ref = protectedItemRef(estate, "DC01");
    const { usage } = await ports.armBudget.measure(async () => {
      for (let i = 0; i < 250; i++) await ports.siteRecovery.getProtectedItem(ref);
    });
    // 250 reads at one instant empty the 250-token bucket: the last answer says 0 are left.
    expect(usage).toEqual({ reads: 250, writes: 0, throttled: 0, lowestRemainingReads: 0 });
    await expect(ports.siteRecovery.getProtectedItem(ref)).rejects.toMatchObject({ code: "Throttled", retryAfterSeconds: 1 });
    expect(azure.stats().byOperation["ReplicationProtectedItems_Get:429"]).toBe(1);
  });

  it("books a wave of work at the documented refill rate so no request meets an empty bucket", () => {
    const clock = new SimulatedClock(start, { realTime: false });
    const { port } = createArmBudget(clock);
    // 375 failovers (2 reads, 1 write each) booked at once. The read bucket (250, 25/s, 50 kept back) lets
    // 100 start at once; the rest follow at the refill rate.
    const delays = Array.from({ length: 375 }, () => port.book({ reads: 2, writes: 1 }, clock.now()));
    expect(delays.filter((d) => d === 0)).toHaveLength(100);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1] ?? 0);
    // By any start time, what was booked fits in what the buckets hold then, less their reserve.
    delays.forEach((t, i) => {
      expect(2 * (i + 1)).toBeLessThanOrEqual(250 - 50 + 25 * t + 1e-9);
      expect(i + 1).toBeLessThanOrEqual(200 - 30 + 10 * t + 1e-9);
    });
    // 550 reads beyond the first 200 at 25/s: the last starts 22 s later.
    expect(delays[374]).toBeCloseTo(22, 0);
    // Booked that far ahead, the read budget is spoken for: optional reads slow down meanwhile.
    expect(port.readPressure(clock.now())).toBe(4);
  });

  it("lowers its view of the budget to what ARM reports, and slows optional reads as the read budget drains", async () => {
    const clock = new SimulatedClock(start, { realTime: false });
    const { port, policy } = createArmBudget(clock);
    const answer = (remaining: number) => (): Promise<PipelineResponse> =>
      Promise.resolve({
        request: createPipelineRequest({ url: "https://management.azure.com/x" }),
        status: 200,
        headers: createHttpHeaders({ "x-ms-ratelimit-remaining-subscription-reads": String(remaining) }),
      });
    const request = createPipelineRequest({ url: "https://management.azure.com/x", method: "GET" });
    await policy.sendRequest(request, answer(100));
    expect(port.readPressure(clock.now())).toBe(2);
    await policy.sendRequest(request, answer(40));
    expect(port.readPressure(clock.now())).toBe(4);
    // With 40 left (less than the 50 kept back) a read waits for the refill: 12 tokens at 25/s.
    expect(port.book({ reads: 2, writes: 0 }, clock.now())).toBeCloseTo(0.48, 2);
    clock.advanceTo(new Date(start.getTime() + 10_000));
    expect(port.readPressure(clock.now())).toBe(1);
  });
});
