import { describe, expect, it } from "vitest";
import type { BoundaryHook } from "../../shared/runs/engineDeps.js";
import { sampleEstate } from "../helpers.js";
import { expectOneFailoverPerVm, runFailover } from "./engineHarness.js";

const estate = sampleEstate();
const allVms = estate.vms.map((vm) => vm.name);
const ones = Object.fromEntries(allVms.map((vm) => [vm, 1]));

/**
 * Crashes the worker the first time it reaches each distinct boundary of each step (boundary name,
 * step, fields written), so every boundary of the run is crashed at once and then redelivered.
 */
function crashOnceAtEveryBoundary(filter: (name: string, fields: readonly string[]) => boolean = () => true): {
  hook: BoundaryHook;
  crashes: Map<string, number>;
} {
  const crashed = new Set<string>();
  const crashes = new Map<string, number>();
  return {
    crashes,
    hook: (name, context) => {
      const fields = context.fields ?? [];
      const site = `${name}|${context.stepId ?? ""}|${fields.join(",")}`;
      if (crashed.has(site) || !filter(name, fields)) return;
      crashed.add(site);
      crashes.set(name, (crashes.get(name) ?? 0) + 1);
      throw new Error(`simulated crash at ${site}`);
    },
  };
}

describe("crash and redelivery", () => {
  it("a crash at every step boundary, each followed by redelivery, still completes the run with one failover per VM", async () => {
    const crash = crashOnceAtEveryBoundary();
    const result = await runFailover({ boundary: crash.hook, startRetries: 2 });
    expect(result.run.status).toBe("succeeded");
    expect(result.steps.every((s) => s.status === "succeeded")).toBe(true);
    expect(expectOneFailoverPerVm(result, allVms)).toEqual(ones);
    expect([...crash.crashes.keys()].sort()).toEqual([
      "dependencySatisfied",
      "journalSaved",
      "journalSaving",
      "lockAcquired",
      "runCompleted",
      "runCreated",
      "runEnded",
      "stepClaimed",
      "stepSucceeded",
      "wakeScheduled",
    ]);
    expect(result.stack.queue.stats.abandoned).toBeGreaterThan(100);
    // The run's end was finished too: the estate is free for the next run.
    expect(await result.stack.store.runLockHolder(estate.name)).toBeUndefined();
    expect(result.stack.azure.misuse).toEqual([]);
  });

  it("a crash after ASR accepted a failover or commit, before its job was recorded, adopts the job instead of starting another", async () => {
    const crash = crashOnceAtEveryBoundary((name, fields) => name === "journalSaving" && fields.includes("jobName"));
    const result = await runFailover({ boundary: crash.hook });
    expect(result.run.status).toBe("succeeded");
    expect(crash.crashes.get("journalSaving")).toBe(allVms.length * 2); // every failover and every commit
    expect(expectOneFailoverPerVm(result, allVms)).toEqual(ones);
    const commits = result.stack.azure.stats().byOperation["ReplicationProtectedItems_FailoverCommit"];
    expect(commits).toBe(allVms.length);
  });

  it("a crash while starting the run leaves a run that the same request resumes", async () => {
    let crashedOnce = false;
    const result = await runFailover({
      boundary: (name) => {
        if (name === "runCreated" && !crashedOnce) {
          crashedOnce = true;
          throw new Error("crash after the run was written, before its first steps were queued");
        }
      },
      startRetries: 1,
    });
    expect(crashedOnce).toBe(true);
    expect(result.run.status).toBe("succeeded");
    expect(expectOneFailoverPerVm(result, allVms)).toEqual(ones);
  });

  it("a drill with a timed cleanup gate, crashed at every boundary, tests and cleans up each VM once and leaves nothing behind", async () => {
    const crash = crashOnceAtEveryBoundary();
    const result = await runFailover({
      boundary: crash.hook,
      startRetries: 2,
      request: { mode: "test", scope: { kind: "all" }, manualFinish: true, cleanupAfterMinutes: 5 },
    });
    expect(result.run.status).toBe("succeeded");
    const drilled = allVms.filter((vm) => vm !== "DC02"); // one DC per drill
    expect(expectOneFailoverPerVm(result, drilled)).toEqual(Object.fromEntries(drilled.map((vm) => [vm, 1])));
    expect(result.stack.azure.stats().byOperation["ReplicationProtectedItems_TestFailoverCleanup"]).toBe(drilled.length);
    expect(result.stack.azure.existingVmNames().filter((n) => n.endsWith("-test"))).toEqual([]);
    expect(result.step("await-cleanup").status).toBe("succeeded");
    expect(result.stack.azure.misuse).toEqual([]);
  });

  it("a run that fails at a gate, crashed at every boundary, fails the same way and starts nothing after the gate", async () => {
    const crash = crashOnceAtEveryBoundary();
    const result = await runFailover({ boundary: crash.hook, startRetries: 2, faults: { brokenDomainTrust: ["API02"] } });
    expect(result.run.status).toBe("failed");
    expect(result.run.failureReason).toMatch(/checks:API02 failed: .*domainSecureChannel failed/);
    for (const vm of estate.vms.filter((v) => v.tier === "web" || v.tier === "recommendation"))
      expect(result.stack.azure.stats().failoverCalls[vm.name] ?? 0).toBe(0);
    expect(result.steps.filter((s) => ["queued", "running", "waiting"].includes(s.status))).toEqual([]);
    // A redelivery that finishes the run's end tells again under the same event id, which delivery drops.
    expect(new Set(result.events.filter((e) => e.kind === "runFailed").map((e) => e.id))).toEqual(new Set([`${result.runId}:runFailed`]));
    expect(await result.stack.store.runLockHolder(estate.name)).toBeUndefined();
  });

  it("a reprotect after a failover, both crashed at every boundary, reprotects each VM once", async () => {
    const crash = crashOnceAtEveryBoundary();
    const identity = { kind: "tiers", tiers: ["identity"] } as const;
    const result = await runFailover({
      boundary: crash.hook,
      startRetries: 2,
      before: [{ mode: "unplanned", scope: identity }],
      request: { mode: "failback-prep", scope: identity },
    });
    expect(result.run.status).toBe("succeeded");
    expect(result.stack.azure.stats().byOperation["ReplicationProtectedItems_Reprotect"]).toBe(2);
    for (const vm of ["DC01", "DC02"])
      expect(result.stack.azure.protectedItem(vm)).toMatchObject({ protectionState: "InitialReplicationInProgress", allowedOperations: ["DisableProtection"] });
  });

  it("ARM answering 500 after accepting every failover, with crashes at every boundary, still fails each VM over once", async () => {
    const crash = crashOnceAtEveryBoundary();
    const result = await runFailover({ boundary: crash.hook, startRetries: 2, faults: { ambiguousFailoverOf: allVms } });
    expect(result.run.status).toBe("succeeded");
    expect(expectOneFailoverPerVm(result, allVms)).toEqual(ones);
    expect(result.stack.azure.misuse).toEqual([]);
  });
});

describe("dependency faults", () => {
  it("the Service Bus connection dropped mid-run (every connection, sends in flight) loses no step and repeats no failover", async () => {
    let drops = 0;
    let succeeded = 0;
    const result = await runFailover({
      onStack: (stack) => {
        // Dropped right after steps finished, while their successors are being sent.
        const peer = stack.queue.peer;
        const engine = stack.engine;
        const original = engine.handleStepMessage.bind(engine);
        Object.assign(engine, {
          handleStepMessage: async (...args: Parameters<typeof original>) => {
            await original(...args);
            succeeded += 1;
            if (succeeded === 20) {
              peer.dropConnections();
              drops += 1;
            }
          },
        });
      },
    });
    expect(drops).toBe(1);
    expect(result.run.status).toBe("succeeded");
    expect(expectOneFailoverPerVm(result, allVms)).toEqual(ones);
    expect(result.steps.every((s) => s.status === "succeeded")).toBe(true);
    // A send caught by the drop waits the client's operation timeout (20 s), then goes out on a new connection.
  }, 120_000);
});
