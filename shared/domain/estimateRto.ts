import type { Plan, StepKind } from "./plan.js";

/**
 * Seconds each step kind typically takes. These are this product's working figures, not a Microsoft
 * commitment: an InMageRcm failover job to "Latest" first processes the pending data, then creates and
 * boots the VM (about ten minutes for a VM of average size); Run Command takes about a minute per script;
 * network writes are long-running operations of seconds. `npm run drill` measures a run end to end.
 * Steps waiting for a person count nothing: the estimate is the machine's share of the RTO.
 */
export const TYPICAL_STEP_SECONDS: Readonly<Record<StepKind, number>> = Object.freeze({
  verifyTargetDc: 30,
  failover: 600,
  guestChecks: 120,
  healthProbe: 30,
  enableIpForwarding: 30,
  updateRoute: 30,
  updateDns: 15,
  tierReady: 0,
  commit: 120,
  cleanupTestFailover: 180,
  notify: 5,
  awaitDecision: 0,
  reprotect: 600,
  // A read and a compare-and-set Run Command on the target DC; a restore is one.
  updateAdDns: 120,
  restoreAdDns: 60,
  // Failback: the replication wait is ASR's and counts nothing (like a person's decision); a planned failover back takes about a failover.
  awaitFailbackReplication: 0,
  plannedFailback: 600,
  restoreDns: 15,
  restoreRoute: 30,
  reprotectToAzure: 600,
});

export interface RtoEstimate {
  readonly seconds: number;
  /** Step ids of the longest chain, first to last. */
  readonly criticalPath: readonly string[];
}

/** The plan's critical path with typical step durations: steps without a dependency between them run in parallel. */
export function estimateRto(plan: Plan, durations: Readonly<Record<StepKind, number>> = TYPICAL_STEP_SECONDS): RtoEstimate {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const finish = new Map<string, { seconds: number; path: string[] }>();
  const finishOf = (id: string): { seconds: number; path: string[] } => {
    const known = finish.get(id);
    if (known) return known;
    const step = byId.get(id);
    if (!step) return { seconds: 0, path: [] };
    let before = { seconds: 0, path: [] as string[] };
    for (const dep of step.dependsOn) {
      const candidate = finishOf(dep);
      if (candidate.seconds > before.seconds || before.path.length === 0) before = candidate;
    }
    const result = { seconds: before.seconds + durations[step.kind], path: [...before.path, id] };
    finish.set(id, result);
    return result;
  };
  let longest = { seconds: 0, path: [] as string[] };
  for (const step of plan.steps) {
    const candidate = finishOf(step.id);
    if (candidate.seconds > longest.seconds) longest = candidate;
  }
  return { seconds: longest.seconds, criticalPath: longest.path };
}
