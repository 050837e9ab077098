import type { NotifyStep, TierReadyStep } from "../../domain/plan.js";
import type { RunObjectivesResult } from "../../ports/notifier.js";
import type { RunRecord } from "../../ports/runStore.js";
import { buildRunReport } from "../../reports/buildRunReport.js";
import { runEvent } from "../runEvent.js";
import type { StepContext, StepExecutor } from "../stepContext.js";
import { done } from "../stepOutcome.js";

/** A tier is ready: its VMs are up and checked, its routes and names moved. People hear of it. */
export const executeTierReady: StepExecutor<TierReadyStep> = async ({ step, run, deps }) => {
  await deps.notifier.notify(
    runEvent(
      run,
      "tierCompleted",
      deps.clock.now(),
      run.mode === "failback" ? `Tier ${step.target} is failed back to vSphere.` : `Tier ${step.target} is failed over and healthy.`,
      {
        id: `${run.runId}:tierCompleted:${step.target}`,
        ...(step.tier !== undefined ? { tier: step.tier } : {}),
        vms: vmsOfTier(run, deps.estate.vms, step.target),
      },
    ),
  );
  return done(`tier ${step.target} ready`);
};

export const executeNotify: StepExecutor<NotifyStep> = async (context) => {
  const { run, deps } = context;
  const objectives = await objectivesSoFar(context);
  const what =
    run.mode === "test" ? "Test failover" : run.mode === "failback" ? "Failback" : run.mode === "failback-prep" ? "Failback preparation" : "Failover";
  const summary = `${what} of ${run.estate} completed.`;
  await deps.notifier.notify(runEvent(run, "runCompleted", deps.clock.now(), summary, objectives ? { objectives } : {}));
  return done("completion notified");
};

/** The VMs of a tier that the run's scope covers. */
function vmsOfTier(run: RunRecord, vms: readonly { name: string; tier: string }[], tier: string): string[] {
  const scope = run.request.scope;
  return vms.filter((vm) => vm.tier === tier && (scope.kind !== "vms" || scope.vms.includes(vm.name))).map((vm) => vm.name);
}

/** RTO and data-loss window as the report computes them; a read failure only leaves them out of the message. */
async function objectivesSoFar({ run, deps }: StepContext<NotifyStep>): Promise<RunObjectivesResult | undefined> {
  try {
    const report = buildRunReport(deps.estate, run, await deps.store.listSteps(run.runId), deps.clock.now());
    return {
      rtoSeconds: report.rtoSeconds,
      rtoTargetSeconds: report.rtoTargetSeconds,
      dataLossWindowSeconds: report.dataLossWindowSeconds,
      rpoTargetSeconds: report.rpoTargetSeconds,
    };
  } catch (error) {
    deps.log.warn("run objectives not computed for the completion notice", { runId: run.runId, error: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}
