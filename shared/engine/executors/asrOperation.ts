import type { StepJournal } from "../../ports/runStore.js";
import type { ProtectedItemRef, ProtectedItemState, StartedJob } from "../../ports/siteRecovery.js";
import type { StepContext } from "../stepContext.js";
import { done, failed, waiting, type StepOutcome } from "../stepOutcome.js";

export interface AsrOperation {
  /** ASR's currentScenario.scenarioName while the operation runs. */
  readonly scenario: string;
  /** The item's state shows the operation already completed. */
  isComplete(item: ProtectedItemState): boolean;
  start(): Promise<StartedJob>;
  /** Recorded in the journal together with the intent (e.g. the recovery point chosen). */
  readonly intentDetails?: () => Promise<StepOutcome | Partial<StepJournal>>;
}

/**
 * Starts an ASR operation at most once and follows its job across invocations.
 * The intent is written before the call and the job name right after it, so a redelivery that
 * finds an intent without a job asks ASR what the item is doing and adopts the running job
 * instead of starting a second one.
 */
export async function runAsrOperation(context: StepContext, ref: ProtectedItemRef, operation: AsrOperation): Promise<StepOutcome> {
  const { journal, deps, timing } = context;
  if (journal.jobName) return followJob(context, ref, journal.jobName);

  if (journal.intentAt) {
    const item = await deps.siteRecovery.getProtectedItem(ref);
    const { name, jobName } = item.currentScenario;
    // Adopt the job ASR is running for us, but never one of our own that already failed.
    if (name === operation.scenario && jobName && !journal.failedJobs?.includes(jobName)) {
      await context.saveJournal({ jobName });
      return waiting(timing.jobPollSeconds, `adopted ASR job ${jobName} already under way`);
    }
    if (operation.isComplete(item)) return done(`${operation.scenario} already complete in ASR`);
  } else {
    const details = operation.intentDetails ? await operation.intentDetails() : {};
    if ("status" in details) return details;
    await context.saveJournal({ ...details, intentAt: deps.clock.now().toISOString() });
  }

  const started = await operation.start();
  await context.saveJournal({ jobName: started.jobName });
  return waiting(timing.jobPollSeconds, `ASR job ${started.jobName} started`);
}

async function followJob(context: StepContext, ref: ProtectedItemRef, jobName: string): Promise<StepOutcome> {
  const job = await context.deps.siteRecovery.getJob(ref.vault, jobName);
  switch (job.state) {
    case "Succeeded":
      return done(`ASR job ${jobName} (${job.scenarioName}) succeeded`);
    case "Failed":
    case "Cancelled": {
      // Forget the job so the retry asks ASR afresh; ASR refuses a second start while one runs.
      await context.saveJournal({ jobName: undefined, failedJobs: [...(context.journal.failedJobs ?? []), jobName] });
      const errors = job.errors.length > 0 ? job.errors.join("; ") : "no error details";
      return failed(`ASR job ${jobName} ${job.state.toLowerCase()}: ${errors}`, true);
    }
    default:
      return waiting(context.timing.jobPollSeconds);
  }
}
