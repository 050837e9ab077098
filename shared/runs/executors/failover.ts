import { chooseRecoveryPoint } from "../../domain/recoveryPoint.js";
import type { FailoverStep } from "../../domain/plan.js";
import type { StepExecutor } from "../stepContext.js";
import type { AsrJob, ProtectedItemRef } from "../../ports/siteRecovery.js";
import type { StepContext } from "../stepContext.js";
import { done, failed, type StepOutcome } from "../stepOutcome.js";
import { runAsrOperation } from "./asrOperation.js";
import { protectedItemRef } from "./estateLookup.js";

/** What a succeeded test failover leaves for the VM's checks: the test VM ASR created. */
export interface TestFailoverOutput {
  readonly testVmId: string;
  readonly testVmName: string;
}

/** Unplanned failover to Azure, or a test failover into the vault's isolated network. */
export const executeFailover: StepExecutor<FailoverStep> = async (context) => {
  const { step, deps } = context;
  const ref = protectedItemRef(deps.estate, step.vm);
  const recoveryPointId = (): string | undefined => context.journal.recoveryPoint?.id;
  return runAsrOperation(context, ref, {
    scenario: step.mode === "unplanned" ? "UnplannedFailover" : "TestFailover",
    isComplete: (item) => (step.mode === "unplanned" ? item.activeLocation === "Recovery" : item.allowedOperations.includes("TestFailoverCleanup")),
    intentDetails: async () => {
      const [points, item] = await Promise.all([deps.siteRecovery.listRecoveryPoints(ref), deps.siteRecovery.getProtectedItem(ref)]);
      const decision = chooseRecoveryPoint(points, step.recoveryPoint, deps.clock.now(), deps.estate.objectives.retentionDays, item.lastDataReceived);
      if (!decision.ok) return failed(`${step.vm}: ${decision.reason}`, false);
      const choice = typeof step.recoveryPoint === "string" ? step.recoveryPoint : "at";
      const { point, dataAsOf } = decision;
      return {
        recoveryPoint: point
          ? { id: point.id, time: point.time.toISOString(), type: point.type, choice }
          : { time: dataAsOf.toISOString(), type: "Latest", choice },
      };
    },
    start: () =>
      step.mode === "unplanned"
        ? deps.siteRecovery.startUnplannedFailover(ref, recoveryPointId())
        : deps.siteRecovery.startTestFailover(ref, recoveryPointId()),
    // The test VM is the one the job names (TestFailoverJobDetails.protectedItemDetails[].testVmName),
    // created in the item's target resource group: never a name guessed from the recovered VM.
    ...(step.mode === "test" ? { output: (job: AsrJob) => testVmOutput(step.vm, job, ref, deps) } : {}),
  });
};

async function testVmOutput(vmName: string, job: AsrJob, ref: ProtectedItemRef, deps: StepContext["deps"]): Promise<StepOutcome> {
  const item = await deps.siteRecovery.getProtectedItem(ref);
  const named =
    job.testVms.find((t) => item.internalId !== undefined && t.internalId.toLowerCase() === item.internalId.toLowerCase()) ??
    (job.testVms.length === 1 ? job.testVms[0] : undefined);
  if (!named) return failed(`${vmName}: test failover job ${job.name} succeeded but names no test VM (TestFailoverJobDetails.protectedItemDetails)`, false);
  if (!item.targetResourceGroupId)
    return failed(`${vmName}: ASR reports no target resource group for the item, so its test VM ${named.testVmName} cannot be found`, false);
  const output: TestFailoverOutput = {
    testVmId: `${item.targetResourceGroupId}/providers/Microsoft.Compute/virtualMachines/${named.testVmName}`,
    testVmName: named.testVmName,
  };
  return done(`ASR job ${job.name} (TestFailover) succeeded: test VM ${named.testVmName}`, output);
}
