import type { Estate } from "../domain/estate.js";
import type { GuestRunEvidence } from "../domain/health/healthSnapshot.js";
import { failoverStepId } from "../domain/planFailover.js";
import type { RunHistoryPort } from "../ports/healthReads.js";
import type { RunRecord, RunStore, StepRecord } from "../ports/runStore.js";

/**
 * The health check's view of the run history: the in-guest check steps (one Run Command each) of
 * the most recent drills and failovers. One list of the estate's runs, then one list of steps per
 * run kept; nothing is written.
 */
export function createRunHistoryReader({ store, estate }: { store: RunStore; estate: Estate }): RunHistoryPort {
  return {
    async recentGuestChecks(limit) {
      const runs = (await store.listRuns(estate.name))
        // Cleanup-only drills and failback preparation run no in-guest checks.
        .filter((r) => (r.mode === "test" && !r.request.cleanupOnly) || r.mode === "unplanned")
        .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
        .slice(0, Math.max(0, limit));
      const perRun = await Promise.all(runs.map(async (run) => evidenceOf(run, await store.listSteps(run.runId), estate)));
      return perRun.flat();
    },
  };
}

function evidenceOf(run: RunRecord, steps: readonly StepRecord[], estate: Estate): GuestRunEvidence[] {
  const mode = run.mode === "test" ? "test" : "unplanned";
  const byId = new Map(steps.map((s) => [s.step.id, s]));
  return steps.flatMap((record): GuestRunEvidence[] => {
    const step = record.step;
    if (step.kind !== "guestChecks") return [];
    const targetVmId = mode === "test" ? testVmIdOf(byId.get(failoverStepId(step.vm))) : estate.vms.find((v) => v.name === step.vm)?.recoveryVmId;
    const detail = record.status === "succeeded" ? record.detail : (record.error ?? record.detail);
    return [
      {
        runId: run.runId,
        mode,
        runStatus: run.status,
        runStartedAt: new Date(run.startedAt),
        ...(run.failureReason ? { runFailureReason: run.failureReason } : {}),
        vm: step.vm,
        stepStatus: record.status,
        ...(record.finishedAt ? { finishedAt: new Date(record.finishedAt) } : {}),
        ...(targetVmId ? { targetVmId } : {}),
        ...(detail ? { detail } : {}),
      },
    ];
  });
}

/** The test VM a drill's failover step recorded in its journal (shared/runs/executors/failover.ts TestFailoverOutput). */
function testVmIdOf(failover: StepRecord | undefined): string | undefined {
  const output = failover?.journal.output;
  if (typeof output !== "object" || output === null || !("testVmId" in output)) return undefined;
  const id = output.testVmId;
  return typeof id === "string" ? id : undefined;
}
