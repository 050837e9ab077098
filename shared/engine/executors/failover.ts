import { chooseRecoveryPoint } from "../../domain/recoveryPoint.js";
import type { FailoverStep } from "../../domain/plan.js";
import type { StepExecutor } from "../stepContext.js";
import { failed } from "../stepOutcome.js";
import { runAsrOperation } from "./asrOperation.js";
import { protectedItemRef } from "./estateLookup.js";

/** Unplanned failover to Azure, or a test failover into the vault's isolated network. */
export const executeFailover: StepExecutor<FailoverStep> = async (context) => {
  const { step, deps } = context;
  const ref = protectedItemRef(deps.estate, step.vm);
  const recoveryPointId = (): string | undefined => context.journal.recoveryPoint?.id;
  return runAsrOperation(context, ref, {
    scenario: step.mode === "unplanned" ? "UnplannedFailover" : "TestFailover",
    isComplete: (item) => (step.mode === "unplanned" ? item.activeLocation === "Recovery" : item.allowedOperations.includes("TestFailoverCleanup")),
    intentDetails: async () => {
      const points = await deps.siteRecovery.listRecoveryPoints(ref);
      const decision = chooseRecoveryPoint(points, step.recoveryPoint, deps.clock.now(), deps.estate.objectives.retentionDays);
      if (!decision.ok) return failed(`${step.vm}: ${decision.reason}`, false);
      const { id, time, type } = decision.point;
      return { recoveryPoint: { id, time: time.toISOString(), type } };
    },
    start: () =>
      step.mode === "unplanned"
        ? deps.siteRecovery.startUnplannedFailover(ref, recoveryPointId())
        : deps.siteRecovery.startTestFailover(ref, recoveryPointId()),
  });
};
