import type { NotifyStep, TierReadyStep } from "../../domain/plan.js";
import type { StepExecutor } from "../stepContext.js";
import { done } from "../stepOutcome.js";

/** A tier is ready: its VMs are up and checked, its routes and names moved. People hear of it. */
export const executeTierReady: StepExecutor<TierReadyStep> = async ({ step, run, deps }) => {
  await deps.notifier.notify({
    kind: "tierCompleted",
    runId: run.runId,
    estate: run.estate,
    mode: run.mode,
    at: deps.clock.now(),
    tier: step.tier,
    summary: `Tier ${step.target} is failed over and healthy.`,
  });
  return done(`tier ${step.target} ready`);
};

export const executeNotify: StepExecutor<NotifyStep> = async ({ run, deps }) => {
  await deps.notifier.notify({
    kind: "runCompleted",
    runId: run.runId,
    estate: run.estate,
    mode: run.mode,
    at: deps.clock.now(),
    summary: `${run.mode === "test" ? "Test failover" : "Failover"} of ${run.estate} completed.`,
  });
  return done("completion notified");
};
