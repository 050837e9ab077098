import type { RunRecord } from "../ports/runStore.js";
import { cleanupDueAt, needsAutomaticCleanup } from "../runs/drillCleanup.js";
import type { TestVmCleanup } from "./runReport.js";

/** A cleanup run of a drill, as the run store holds it. */
export type CleanupRunFacts = Pick<RunRecord, "runId" | "status" | "startedAt" | "finishedAt" | "failureReason">;

/** What a drill's own record does not hold about its cleanup, read beside it (runs/runReports.ts). */
export interface DrillCleanupFacts {
  /** The grace period after a failed or cancelled drill (DRILL_CLEANUP_AFTER_MINUTES); absent: the due time is not known. */
  readonly graceMinutes?: number;
  /** The run removing the drill's test VMs: the one the automatic cleanup started, or the latest an operator started. */
  readonly cleanupRun?: CleanupRunFacts;
}

/**
 * What happens to the test VMs of a failed or cancelled drill (null for any other run), from its run
 * record (drillCleanup.ts writes the automatic cleanup's outcome and operators' extensions there) and
 * the cleanup run when it is known. Pure.
 */
export function testVmCleanupOf(run: RunRecord, facts: DrillCleanupFacts = {}): TestVmCleanup | null {
  if (!needsAutomaticCleanup(run)) return null;
  const auto = run.decisions?.autoCleanup;
  const due = facts.graceMinutes !== undefined || run.decisions?.cleanupGrace ? cleanupDueAt(run, facts.graceMinutes ?? 0) : undefined;
  const cleanup = facts.cleanupRun;
  if (cleanup) {
    if (cleanup.status === "succeeded") return { state: "cleanedUp", runId: cleanup.runId, at: cleanup.finishedAt ?? cleanup.startedAt };
    if (cleanup.status === "running") return { state: "running", runId: cleanup.runId, since: cleanup.startedAt };
    // A failed or cancelled cleanup run: the automatic cleanup still comes unless it already ran.
    return {
      state: "failed",
      runId: cleanup.runId,
      at: cleanup.finishedAt ?? cleanup.startedAt,
      reason: cleanup.failureReason ?? cleanup.status,
      automaticDueAt: auto ? null : (due?.toISOString() ?? null),
    };
  }
  if (auto?.outcome === "nothingLeft") return { state: "cleanedUp", runId: null, at: auto.at };
  if (auto?.outcome === "gaveUp") return { state: "gaveUp", at: auto.at };
  if (auto?.outcome === "started" && auto.runId) return { state: "running", runId: auto.runId, since: auto.at };
  const grace = run.decisions?.cleanupGrace;
  const last = grace?.extensions.at(-1);
  if (grace && last) return { state: "putOff", dueAt: grace.dueAt, by: last.byName, reason: last.reason };
  return { state: "pending", dueAt: due?.toISOString() ?? null };
}
