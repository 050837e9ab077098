import type { RunRecord } from "../ports/runStore.js";
import type { JournalPatch } from "./stepContext.js";

/**
 * What one execution of a step ended with; the engine decides what happens next.
 * `parked`: the step waits for something only a person does (run control wakes it); no message is
 * scheduled, and the engine re-reads the run once after parking so a decision that raced the
 * parking is not missed.
 */
export type StepOutcome =
  | { readonly status: "done"; readonly detail: string; readonly output?: unknown }
  | { readonly status: "waiting"; readonly afterSeconds: number; readonly detail?: string; readonly journal?: JournalPatch }
  | { readonly status: "failed"; readonly reason: string; readonly retryable: boolean; readonly afterSeconds?: number }
  | { readonly status: "parked"; readonly detail: string; readonly resumeIf: (run: RunRecord) => boolean }
  /** Waits for an ASR job: parked, woken by the vault's job watch when the job has changed (vaultJobWatch.ts). */
  | {
      readonly status: "followingJob";
      readonly job: FollowedJob;
      readonly detail?: string;
      /** Journal fields recorded with the parking, in the same write (the job just started or adopted). */
      readonly journal?: JournalPatch;
    };

/** The ASR job a step waits for. */
export interface FollowedJob {
  /** The estate's key of the vault the job runs in. */
  readonly vault: string;
  readonly jobName: string;
  /** When the step began following it (the RTO deadline of the wait counts from here). */
  readonly since: string;
  /** When the job is expected to be over: the vault's jobs are listed no earlier. */
  readonly expectedBy: string;
}

export const done = (detail: string, output?: unknown): StepOutcome => ({ status: "done", detail, output });
export const waiting = (afterSeconds: number, detail?: string, journal?: JournalPatch): StepOutcome => ({
  status: "waiting",
  afterSeconds,
  ...(detail === undefined ? {} : { detail }),
  ...(journal === undefined ? {} : { journal }),
});
export const failed = (reason: string, retryable: boolean, afterSeconds?: number): StepOutcome => ({
  status: "failed",
  reason,
  retryable,
  ...(afterSeconds === undefined ? {} : { afterSeconds }),
});

export const followingJob = (job: FollowedJob, detail?: string, journal?: JournalPatch): StepOutcome => ({
  status: "followingJob",
  job,
  ...(detail === undefined ? {} : { detail }),
  ...(journal === undefined ? {} : { journal }),
});
