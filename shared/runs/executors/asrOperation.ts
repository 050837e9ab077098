import type { StepJournal } from "../../ports/runStore.js";
import type { AsrJob, ProtectedItemRef, ProtectedItemState, StartedJob } from "../../ports/siteRecovery.js";
import type { FollowedScenario } from "../engineDeps.js";
import type { StepContext } from "../stepContext.js";
import { done, failed, followingJob, type FollowedJob, type StepOutcome } from "../stepOutcome.js";

export interface AsrOperation {
  /** ASR's scenarioName of the operation's job and of the item's currentScenario while it runs. */
  readonly scenario: AsrScenario;
  /** The item's state shows the operation already completed. */
  isComplete(item: ProtectedItemState): boolean;
  start(): Promise<StartedJob>;
  /** Recorded in the journal together with the intent (e.g. the recovery point chosen). */
  readonly intentDetails?: () => Promise<StepOutcome | Partial<StepJournal>>;
  /** What a succeeded job leaves for later steps (e.g. the test VM it created). */
  readonly output?: (job: AsrJob) => Promise<StepOutcome>;
}

/**
 * Job scenario names as ASR reports them for InMageRcm items (recorded in TestV2ARCM*.json,
 * test/fixtures/azure/asr-inmagercm-recorded.md): a commit runs as `CommitFailover` and a reprotect
 * as `SwitchReplicationGroupProtection`, not under the names of the REST operations.
 */
export type AsrScenario = FollowedScenario;

/**
 * Starts an ASR operation at most once and follows its job across invocations.
 * The intent is written before the call and the job name right after it, so a redelivery that
 * finds an intent without a job (a crash, or an ambiguous 5xx to the POST) asks ASR what the item
 * is doing and adopts the running job instead of starting a second one.
 */
export async function runAsrOperation(context: StepContext, ref: ProtectedItemRef, operation: AsrOperation): Promise<StepOutcome> {
  const { journal, deps } = context;
  if (journal.jobName) return followJob(context, ref, journal.jobName, operation);

  if (journal.intentAt) {
    const item = await deps.siteRecovery.getProtectedItem(ref);
    const { name, jobName } = item.currentScenario;
    // Adopt the job ASR is running for us, but never one of our own that already failed.
    if (name === operation.scenario && jobName && !journal.failedJobs?.includes(jobName)) {
      const since = deps.clock.now();
      return followingJob(jobToFollow(context, ref, jobName, operation.scenario, since), `adopted ASR job ${jobName} already under way`, {
        jobName,
        followingSince: since.toISOString(),
      });
    }
    if (operation.isComplete(item)) return done(`${operation.scenario} already complete in ASR`);
  } else {
    const details = operation.intentDetails ? await operation.intentDetails() : {};
    if ("status" in details) return details;
    await context.saveJournal({ ...details, intentAt: deps.clock.now().toISOString() });
  }

  const started = await operation.start();
  const since = deps.clock.now();
  // The job name is written right after the call, with the parking (one write).
  return followingJob(jobToFollow(context, ref, started.jobName, operation.scenario, since), `ASR job ${started.jobName} started`, {
    jobName: started.jobName,
    followingSince: since.toISOString(),
  });
}

/**
 * The job as the vault's job watch follows it: first looked at once a job of its kind is usually over
 * (EngineTiming.expectedJobSeconds), then every vaultPollSeconds.
 */
function jobToFollow(context: StepContext, ref: ProtectedItemRef, jobName: string, scenario: AsrScenario, since: Date, now: Date = since): FollowedJob {
  const { deps, timing } = context;
  const expected = since.getTime() + timing.expectedJobSeconds[scenario] * 1000;
  const expectedBy = Math.max(expected, now.getTime() + (expected > now.getTime() ? 0 : timing.vaultPollSeconds * 1000));
  return { vault: vaultKeyOf(deps.estate, ref), jobName, since: since.toISOString(), expectedBy: new Date(expectedBy).toISOString() };
}

function vaultKeyOf(estate: StepContext["deps"]["estate"], ref: ProtectedItemRef): string {
  const entry = Object.entries(estate.vaults).find(([, vault]) => vault === ref.vault || vault.name === ref.vault.name);
  if (!entry) throw new Error(`vault ${ref.vault.name} is not in estate ${estate.name}`);
  return entry[0];
}

/** What a job's state means for the step (pure). */
export type JobVerdict =
  | { readonly kind: "running" }
  | { readonly kind: "succeeded" }
  /** Failed or cancelled: the item is back where it was, so the step may start the operation again. */
  | { readonly kind: "retry"; readonly reason: string }
  /** Partial success, a suspended job or a state we do not know: a person must look before anything else is done. */
  | { readonly kind: "stop"; readonly reason: string };

/**
 * ASR job states (the SDK's JobProperties: state NotStarted, InProgress, Succeeded, Failed, Cancelled,
 * Suspended...; for Succeeded, stateDescription Completed, PartiallySucceeded, CompletedWithInformation
 * or Skipped). Only a plain completion counts as success: a partial one left something undone that
 * the next tier may depend on.
 */
export function judgeJob(job: AsrJob): JobVerdict {
  const errors = job.errors.length > 0 ? job.errors.join("; ") : "no error details";
  const partial = ["PartiallySucceeded", "CompletedWithInformation", "Skipped"];
  if (partial.includes(job.state) || (job.state === "Succeeded" && partial.includes(job.stateDescription))) {
    return {
      kind: "stop",
      reason: `ASR job ${job.name} (${job.scenarioName}) ended ${job.state === "Succeeded" ? job.stateDescription : job.state}: ${errors}`,
    };
  }
  switch (job.state) {
    case "NotStarted":
    case "InProgress":
      return { kind: "running" };
    case "Succeeded":
      return { kind: "succeeded" };
    case "Failed":
    case "Cancelled":
      return { kind: "retry", reason: `ASR job ${job.name} ${job.state.toLowerCase()}: ${errors}` };
    case "Suspended":
      return { kind: "stop", reason: `ASR job ${job.name} (${job.scenarioName}) is suspended: resume or cancel it in the vault, then resume the run` };
    default:
      return {
        kind: "stop",
        reason: `ASR job ${job.name} (${job.scenarioName}) is in state '${job.state}' (${job.stateDescription || "no description"}), which this product does not act on: check it in the vault, then resume the run`,
      };
  }
}

async function followJob(context: StepContext, ref: ProtectedItemRef, jobName: string, operation: AsrOperation): Promise<StepOutcome> {
  const { deps, journal } = context;
  // The vault's job watch passes the job it listed; otherwise (a redelivery, a job it did not list) ask ASR.
  const observed = context.observedJob?.name.toLowerCase() === jobName.toLowerCase() ? context.observedJob : undefined;
  const job: AsrJob = observed ?? (await deps.siteRecovery.getJob(ref.vault, jobName));
  const verdict = judgeJob(job);
  switch (verdict.kind) {
    case "succeeded":
      return operation.output ? operation.output(job) : done(`ASR job ${jobName} (${job.scenarioName}) succeeded`);
    case "retry":
      // Forget the job so the retry asks ASR afresh; ASR refuses a second start while one runs.
      await context.saveJournal({ jobName: undefined, followingSince: undefined, failedJobs: [...(journal.failedJobs ?? []), jobName] });
      return failed(verdict.reason, true);
    case "stop":
      // The job is kept: a resumed run follows it again and judges it afresh.
      await context.saveJournal({ followingSince: undefined });
      return failed(verdict.reason, false);
    case "running": {
      const now = deps.clock.now();
      const since = journal.followingSince ? new Date(journal.followingSince) : undefined;
      if (!since) await context.saveJournal({ followingSince: now.toISOString() });
      const limitMinutes = deps.estate.objectives.rtoMinutes;
      if (since && now.getTime() - since.getTime() > limitMinutes * 60_000) {
        // Past the whole run's RTO the job will not make it in time: a person decides (it is not cancelled).
        await context.saveJournal({ followingSince: undefined });
        return failed(
          `ASR job ${jobName} (${job.scenarioName}) is still ${job.state} after ${limitMinutes} min (the estate's RTO); it was not cancelled: check it in the vault, then resume the run to follow it again`,
          false,
        );
      }
      return followingJob(jobToFollow(context, ref, jobName, operation.scenario, since ?? now, now));
    }
  }
}
