import { describe, expect, it } from "vitest";
import type { BoundaryHook } from "../../shared/engine/engineDeps.js";
import { sampleEstate } from "../helpers.js";
import { expectOneFailoverPerVm, runFailover } from "./engineHarness.js";

const estate = sampleEstate();
const allVms = estate.vms.map((vm) => vm.name);
const ones = Object.fromEntries(allVms.map((vm) => [vm, 1]));

/**
 * Crashes the worker the first time it reaches each distinct boundary of each step (boundary name,
 * step, fields written), so every boundary of the run is crashed at once and then redelivered.
 */
function crashOnceAtEveryBoundary(filter: (name: string, fields: readonly string[]) => boolean = () => true): { hook: BoundaryHook; crashes: Map<string, number> } {
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
    expect([...crash.crashes.keys()].sort()).toEqual(["dependencySatisfied", "journalSaved", "journalSaving", "lockAcquired", "runCompleted", "runCreated", "stepClaimed", "stepSucceeded", "wakeScheduled"]);
    expect(result.stack.queue.stats.abandoned).toBeGreaterThan(100);
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
});
