import type { Plan, Step } from "../../shared/domain/plan.js";
import type { JobDurations } from "../simulated-azure/simulatedAzure.js";

/** How long simulated Azure takes for a step's work, with no orchestration around it. */
export function stepDurationMs(step: Step, d: JobDurations): number {
  switch (step.kind) {
    case "verifyTargetDc":
    case "guestChecks":
      return d.runCommandMs;
    case "updateAdDns": // a read and a write Run Command on the target DC
      return 2 * d.runCommandMs;
    case "restoreAdDns":
      return d.runCommandMs;
    case "failover":
      return step.mode === "unplanned" ? d.failoverMs : d.testFailoverMs;
    case "enableIpForwarding": // a NIC update of the network RP, timed like a route update
    case "updateRoute":
      return d.routeUpdateMs;
    case "commit":
      return d.commitMs;
    case "cleanupTestFailover":
      return d.testCleanupMs;
    case "reprotect":
    case "reprotectToAzure":
      return d.reprotectMs;
    case "plannedFailback":
      return d.failoverMs;
    case "restoreRoute":
      return d.routeUpdateMs;
    case "awaitFailbackReplication": // ASR catching up, not the machinery
    case "restoreDns":
      return 0;
    case "awaitDecision": // a person's decision: not part of the machinery's critical path
    case "healthProbe":
    case "updateDns":
    case "tierReady":
    case "notify":
      return 0;
  }
}

/** The longest chain of step durations through the plan: no run can be shorter. */
export function criticalPathMs(plan: Plan, durations: JobDurations): number {
  const finish = new Map<string, number>();
  for (const step of plan.steps) {
    const start = Math.max(0, ...step.dependsOn.map((d) => finish.get(d) ?? 0));
    finish.set(step.id, start + stepDurationMs(step, durations));
  }
  return Math.max(0, ...finish.values());
}
