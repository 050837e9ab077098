import type { CleanupTestFailoverStep, CommitStep } from "../../domain/plan.js";
import type { StepExecutor } from "../stepContext.js";
import { runAsrOperation } from "./asrOperation.js";
import { protectedItemRef } from "./estateLookup.js";

/** Commits an unplanned failover once every tier passed its checks: the recovery point becomes final. */
export const executeCommit: StepExecutor<CommitStep> = (context) => {
  const ref = protectedItemRef(context.deps.estate, context.step.vm);
  return runAsrOperation(context, ref, {
    scenario: "CommitFailover",
    // Recorded (TestV2ARCMCommit.json): a committed item is UnplannedFailoverCommitted and no longer offers Commit.
    isComplete: (item) => item.activeLocation === "Recovery" && !item.allowedOperations.includes("Commit"),
    start: () => context.deps.siteRecovery.startCommit(ref),
  });
};

/** Deletes the test-failover VMs of a drill; replication goes on untouched. */
export const executeCleanupTestFailover: StepExecutor<CleanupTestFailoverStep> = (context) => {
  const ref = protectedItemRef(context.deps.estate, context.step.vm);
  return runAsrOperation(context, ref, {
    scenario: "TestFailoverCleanup",
    isComplete: (item) => !item.allowedOperations.includes("TestFailoverCleanup") && item.currentScenario.name === "None",
    start: () => context.deps.siteRecovery.startTestFailoverCleanup(ref, `Drill ${context.run.runId} complete`),
  });
};
