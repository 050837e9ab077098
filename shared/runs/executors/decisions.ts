import type { AwaitDecisionStep, RunDecision } from "../../domain/plan.js";
import { runEvent } from "../runEvent.js";
import type { StepExecutor } from "../stepContext.js";
import { done, failed, waiting, type StepOutcome } from "../stepOutcome.js";

const WHAT: Record<RunDecision, string> = { approve: "approved", commit: "commit confirmed", cleanup: "cleanup confirmed" };

/**
 * Holds the steps after it until a person's decision is on the run record (POST
 * /api/runs/{runId}/approve | commit | cleanup). The step parks: no message polls it, run control
 * wakes it when the decision is recorded. A scheduled drill's cleanup gate also goes ahead on its
 * own once `proceedAfterSeconds` have passed since it was reached.
 */
export const executeAwaitDecision: StepExecutor<AwaitDecisionStep> = async (context): Promise<StepOutcome> => {
  const { step, run, deps } = context;
  if (run.status !== "running") return failed(`the run is ${run.status}: the ${step.decision} decision is no longer awaited`, false);
  const decision = run.decisions?.[step.decision];
  if (decision) return done(`${WHAT[step.decision]} by ${decision.byName} at ${decision.at}`);

  const now = deps.clock.now();
  const reached = context.journal.intentAt;
  if (!reached) {
    await context.saveJournal({ intentAt: now.toISOString() });
    if (step.decision === "approve") {
      const what =
        run.mode === "failback-prep"
          ? "Failback preparation"
          : run.mode === "failback"
            ? "Failback (planned failover to vSphere, with downtime)"
            : run.mode === "test"
              ? "Test failover"
              : "Failover";
      await deps.notifier.notify(
        runEvent(run, "approvalNeeded", now, `${what} of ${run.estate} requested (${run.trigger}) waits for approval.`, {
          trigger: run.trigger,
          approval: {
            what: `${run.mode} run ${run.runId} of ${run.estate}, scope ${describeScope(run.request.scope)}`,
            how: `POST /api/runs/${run.runId}/approve with the approver role${run.requestedBy ? " (someone other than the requester)" : ""}`,
          },
        }),
      );
    }
  }
  const how = `POST /api/runs/${run.runId}/${step.decision}`;
  if (step.proceedAfterSeconds !== undefined) {
    const due = Date.parse(reached ?? now.toISOString()) + step.proceedAfterSeconds * 1000;
    if (now.getTime() >= due)
      return done(
        `no one asked for the ${step.decision} earlier: proceeding on schedule, ${Math.round(step.proceedAfterSeconds / 60)} min after the last tier was ready`,
      );
    return waiting(Math.max(1, Math.ceil((due - now.getTime()) / 1000)), `waiting for ${how}, or on its own at ${new Date(due).toISOString()}`);
  }
  return { status: "parked", detail: `waiting for a person: ${how}`, resumeIf: (latest) => latest.decisions?.[step.decision] !== undefined };
};

function describeScope(scope: { kind: string; tiers?: readonly string[]; vms?: readonly string[] }): string {
  return scope.kind === "all" ? "all VMs" : scope.kind === "tiers" ? `tiers ${(scope.tiers ?? []).join(", ")}` : `VMs ${(scope.vms ?? []).join(", ")}`;
}
