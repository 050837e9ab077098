import { describe, expect, it } from "vitest";
import type { BoundaryHook } from "../../shared/runs/engineDeps.js";
import { EDGE_SCOPE, roundTripStack } from "./failbackHarness.js";

/** Crashes the worker the first time it reaches each distinct boundary (name, step, fields written), while armed. */
function crashOnceAtEveryBoundary(): { hook: BoundaryHook; arm(): void; crashes: Map<string, number>; sites: ReadonlySet<string> } {
  let armed = false;
  const crashed = new Set<string>();
  const crashes = new Map<string, number>();
  return {
    crashes,
    sites: crashed,
    arm: () => {
      armed = true;
    },
    hook: (name, context) => {
      if (!armed) return;
      const site = `${name}|${context.stepId ?? ""}|${(context.fields ?? []).join(",")}`;
      if (crashed.has(site)) return;
      crashed.add(site);
      crashes.set(name, (crashes.get(name) ?? 0) + 1);
      throw new Error(`simulated crash at ${site}`);
    },
  };
}

describe("failback: crash and redelivery", () => {
  it("a crash at every boundary of the failback, each followed by redelivery, fails the VM back once and sets its name and route back", async () => {
    const crash = crashOnceAtEveryBoundary();
    const rt = await roundTripStack({ boundary: crash.hook });
    const { azure } = rt.stack;
    const egress = () => azure.dnsRecord("private", "corp.contoso.internal", "egress")?.addresses;
    const nextHop = () => azure.route("rt-app-eastus", "default-via-nat")?.nextHopIpAddress;
    const before = { egress: egress(), nextHop: nextHop() };
    const failover = await rt.run({ mode: "unplanned", scope: EDGE_SCOPE });
    await rt.run({ mode: "failback-prep", scope: EDGE_SCOPE, failoverRunId: failover.runId });
    expect(egress()).not.toEqual(before.egress);

    crash.arm();
    const back = await rt.run({ mode: "failback", scope: EDGE_SCOPE, failoverRunId: failover.runId }, { startRetries: 2 });
    expect(back.run.status).toBe("succeeded");
    expect(back.steps.every((s) => s.status === "succeeded")).toBe(true);
    const ops = azure.stats().byOperation;
    expect(ops["ReplicationProtectedItems_PlannedFailover"]).toBe(1);
    // Reprotects: one towards vSphere (failback-prep), one towards Azure; commits: the failover's and the failback's.
    expect(ops["ReplicationProtectedItems_Reprotect"]).toBe(2);
    expect(ops["ReplicationProtectedItems_FailoverCommit"]).toBe(2);
    expect(egress()).toEqual(before.egress);
    expect(nextHop()).toBe(before.nextHop);
    expect(azure.protectedItem("NAT01")).toMatchObject({ protectionState: "Protected", activeLocation: "Primary" });
    // Every kind of boundary was crashed at least once, the ASR job names' journal writes among them.
    expect([...crash.crashes.keys()].sort()).toEqual(
      expect.arrayContaining(["journalSaved", "journalSaving", "runCreated", "stepClaimed", "stepSucceeded", "wakeScheduled", "runEnded"]),
    );
    // Among them: right after ASR accepted the planned failover and the reprotect towards Azure, before their job was journaled.
    expect([...crash.sites]).toEqual(
      expect.arrayContaining(["journalSaving|failback:NAT01|jobName,followingSince", "journalSaving|reprotect-azure:NAT01|jobName,followingSince"]),
    );
    expect(rt.stack.queue.stats.abandoned).toBeGreaterThan(20);
    expect(await rt.stack.store.runLockHolder(rt.stack.estate.name)).toBeUndefined();
    expect(azure.misuse).toEqual([]);
  });
});
