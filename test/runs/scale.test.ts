import { describe, expect, it } from "vitest";
import { syntheticEstate } from "../../local/bench/syntheticEstate.js";
import { tierReadyId, VERIFY_DC_STEP_ID } from "../../shared/domain/planFailover.js";
import { sampleEstate } from "../helpers.js";
import { expectOneFailoverPerVm, runFailover } from "./engineHarness.js";

/**
 * A site failover of a 1,000-VM estate shaped like the sample, on the frozen clock, through the real
 * engine, SDK clients, simulated ARM (its token buckets enforced: a request into an empty bucket is
 * answered 429) and Azurite. The run is bound by Azurite's throughput (about 10 Table Storage requests
 * a step, some 33,000 in all), which is what this test's run time is made of.
 */
const VM_COUNT = 1000;

describe(`a ${VM_COUNT}-VM site failover`, () => {
  it("keeps dependency order, fails each VM over exactly once and stays inside ARM's budget", async () => {
    const estate = syntheticEstate(sampleEstate(), VM_COUNT);
    const result = await runFailover({ estate, faults: { armThrottling: true } });
    expect(result.run.status).toBe("succeeded");
    expect(result.steps.filter((s) => s.status !== "succeeded").map((s) => s.step.id)).toEqual([]);

    const vms = estate.vms.map((vm) => vm.name);
    expect(vms).toHaveLength(VM_COUNT);
    expect(expectOneFailoverPerVm(result, vms)).toEqual(Object.fromEntries(vms.map((vm) => [vm, 1])));
    const stats = result.stack.azure.stats();
    expect(stats.byOperation["ReplicationProtectedItems_FailoverCommit"]).toBe(VM_COUNT);

    // Every step started only once each step it depends on had finished (the frozen clock moves between deliveries, so ties are allowed).
    const at = (id: string, field: "startedAt" | "finishedAt"): number => Date.parse(result.step(id)[field] ?? "");
    const early = result.steps.flatMap((s) =>
      s.step.dependsOn.filter((d) => at(s.step.id, "startedAt") < at(d, "finishedAt")).map((d) => `${s.step.id} before ${d}`),
    );
    expect(early).toEqual([]);
    // The target DC first, then each tier only once the tiers it depends on are ready, then the commits.
    const failoversOf = (tier: string): string[] => estate.vms.filter((vm) => vm.tier === tier).map((vm) => `failover:${vm.name}`);
    const dcChecked = at(VERIFY_DC_STEP_ID, "finishedAt");
    for (const tier of estate.tiers) {
      const firstFailover = Math.min(...failoversOf(tier.name).map((id) => at(id, "startedAt")));
      expect(firstFailover).toBeGreaterThanOrEqual(dcChecked);
      for (const dependency of tier.dependsOn) expect(firstFailover).toBeGreaterThanOrEqual(at(tierReadyId(dependency), "finishedAt"));
    }
    const lastTierReady = Math.max(...estate.tiers.map((t) => at(tierReadyId(t.name), "finishedAt")));
    expect(Math.min(...vms.map((vm) => at(`commit:${vm}`, "startedAt")))).toBeGreaterThanOrEqual(lastTierReady);

    const lists = stats.byOperation["ReplicationJobs_List"] ?? 0;
    expect(lists).toBeGreaterThan(0);
    // Inside the budget: never throttled, jobs followed per vault (a few lists, no GET per job), few reads and messages per VM.
    expect(Object.keys(stats.byOperation).filter((key) => key.endsWith(":429"))).toEqual([]);
    expect(stats.byOperation["ReplicationJobs_Get"] ?? 0).toBe(0);
    expect(stats.reads / VM_COUNT).toBeLessThanOrEqual(5);
    expect(stats.writes / VM_COUNT).toBeLessThanOrEqual(3);
    // Messages: one per step, one wake-up per ASR job (failover, commit), one poll per Run Command, and the
    // looks: one per list, and at most as many again that found every step already woken and listed nothing.
    const checks = result.steps.filter((s) => s.step.kind === "guestChecks").length;
    expect(result.stack.queue.stats.delivered).toBeLessThanOrEqual(result.steps.length + 2 * VM_COUNT + checks + 2 * lists);
    // The run's record says what it cost: every step's requests and the job watches' lists (a list whose
    // next look merged with a look another step asked for is not attributed, so the count may fall short by those).
    expect(result.run.armUsage?.reads).toBeLessThanOrEqual(stats.reads);
    expect(result.run.armUsage?.reads).toBeGreaterThanOrEqual(stats.reads - lists);
    expect(result.run.armUsage?.writes).toBe(stats.writes);
    expect(result.run.armUsage?.throttled).toBe(0);
    expect(result.stack.azure.misuse).toEqual([]);
  }, 900_000);
});
