import type { FailoverRequest, RunDecision, RunMode, Step } from "../domain/plan.js";
import type { ArmUsage } from "./armBudget.js";

export type RunStatus = "running" | "succeeded" | "failed" | "cancelled";
export type StepStatus = "pending" | "queued" | "running" | "waiting" | "succeeded" | "failed" | "cancelled";

export interface RunRecord {
  readonly runId: string;
  readonly estate: string;
  readonly request: FailoverRequest;
  readonly mode: RunMode;
  /** What started the run: an alert id, a user, a drill. */
  readonly trigger: string;
  /** The plan's notes; the steps themselves live in their own records. */
  readonly notes: readonly string[];
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly finishedAt?: string | undefined;
  readonly failureReason?: string | undefined;
  /** Who asked for the run over HTTP (principal id): an approver must be someone else. */
  readonly requestedBy?: string;
  /** When the outage behind the run was detected (the incident's first alert fired); absent for a run a person asked for. */
  readonly detectedAt?: string;
  /** What people decided on the run (approve, commit, cleanup), read by the run's gate steps. */
  readonly decisions?: RunDecisions;
  /** ARM requests the run's steps and job watches made, summed when the run ended. */
  readonly armUsage?: ArmUsage;
}

export interface DecisionRecord {
  /** Principal id and display name of the person. */
  readonly by: string;
  readonly byName: string;
  readonly at: string;
}

export type RunDecisions = {
  readonly [D in RunDecision]?: DecisionRecord;
} & {
  readonly cancel?: DecisionRecord & { readonly reason: string };
  /** Each resume of the run after a failure, oldest first. */
  readonly resumes?: readonly (DecisionRecord & { readonly steps: readonly string[]; readonly previousFailure: string })[];
  /** A failed or cancelled drill's automatic cleanup put off by operators (shared/runs/drillCleanup.ts). */
  readonly cleanupGrace?: { readonly dueAt: string; readonly extensions: readonly (DecisionRecord & { readonly minutes: number; readonly reason: string })[] };
  /** What the automatic cleanup of a failed or cancelled drill did: the cleanup run it started, or why none. */
  readonly autoCleanup?: {
    readonly at: string;
    readonly outcome: "started" | "nothingLeft" | "gaveUp";
    readonly runId?: string;
    readonly vms?: readonly string[];
  };
};

/** Everything a step has done so far, so a redelivery resumes instead of repeating. */
export interface StepJournal {
  /** Set before the side effect is attempted. */
  readonly intentAt?: string;
  /** ASR job followed by this step. */
  readonly jobName?: string;
  /** ASR jobs of earlier attempts that failed, kept for the report. */
  readonly failedJobs?: readonly string[];
  /** Serialized ARM poller state of a Run Command or route update. */
  readonly resumeToken?: string;
  /** The point chosen: `id` absent for ASR's latest (lowest RPO), whose `time` is the newest data ASR had then. */
  readonly recoveryPoint?: { readonly id?: string; readonly time: string; readonly type: string; readonly choice?: string };
  /** When the step began following its current ASR job: the RTO deadline of the wait counts from here. */
  readonly followingSince?: string;
  /** Values before the change, kept for failback. */
  readonly previous?: unknown;
  /** Wake-ups of the step put off while the state store was unreachable: from when, until it ran again, how many times. */
  readonly storeOutages?: readonly { readonly since: string; readonly until: string; readonly deferrals: number }[];
  readonly output?: unknown;
}

export interface StepRecord {
  readonly runId: string;
  readonly step: Step;
  readonly status: StepStatus;
  /** Steps that depend on this one (the plan's edges, kept with the step so no plan is loaded). */
  readonly successors: readonly string[];
  /** Dependencies that have succeeded so far. */
  readonly satisfied: readonly string[];
  /** Current wake-up number; the message with this seq is the one that may act. */
  readonly seq: number;
  /** When the message for `seq` is due (absent: at once). */
  readonly wakeAt?: string | undefined;
  /** Failed executions so far that were retried. */
  readonly retries: number;
  readonly journal: StepJournal;
  readonly startedAt?: string;
  readonly finishedAt?: string | undefined;
  /** What the last execution did, in words. */
  readonly detail?: string;
  readonly error?: string;
  /** The ASR job the step is parked on (status waiting), woken by its vault's job watch. */
  readonly followsJob?: { readonly vault: string; readonly jobName: string; readonly since: string; readonly expectedBy: string } | undefined;
  /** ARM requests the step's executions made so far. */
  readonly arm?: ArmUsage;
}

export interface Versioned<T> {
  readonly value: T;
  readonly etag: string;
}

/**
 * Durable run state with optimistic concurrency: every update names the ETag it read and
 * fails with DrError 'PreconditionFailed' if someone else wrote in between.
 */
export interface RunStore {
  /** Creates the run and all its steps; a second call for the same run id changes nothing. */
  createRun(run: RunRecord, steps: readonly StepRecord[]): Promise<void>;
  getRun(runId: string): Promise<Versioned<RunRecord> | undefined>;
  updateRun(run: RunRecord, etag: string): Promise<string>;
  listRuns(estate: string): Promise<RunRecord[]>;
  getStep(runId: string, stepId: string): Promise<Versioned<StepRecord> | undefined>;
  updateStep(step: StepRecord, etag: string): Promise<string>;
  /**
   * Read-modify-write of one step on its ETag, read again and redone on 412. Calls for the same step
   * that meet in this process share one read and one write (a milestone that 375 steps finish into is
   * written a few times, not 375 times with retries). Resolves with the step as stored after `change`.
   */
  changeStep(runId: string, stepId: string, change: (step: StepRecord) => StepRecord): Promise<StepRecord>;
  listSteps(runId: string): Promise<StepRecord[]>;
  /** The run's steps parked on an ASR job of the vault (one query). */
  listStepsFollowingJobs(runId: string, vault: string): Promise<Versioned<StepRecord>[]>;
  /** The named steps of a run with their ETags (one query), for updates in batches. */
  getVersionedSteps(runId: string, stepIds: readonly string[]): Promise<Versioned<StepRecord>[]>;
  /** The run's steps with their ETags (one query), for updates in batches. */
  listVersionedSteps(runId: string): Promise<Versioned<StepRecord>[]>;
  /**
   * Replaces steps of one run, each on its ETag, in entity-group transactions of up to 100: all of a
   * batch or none (DrError 'PreconditionFailed' when any changed). Returns the new ETags in order.
   */
  updateSteps(steps: readonly Versioned<StepRecord>[]): Promise<string[]>;
  /** Single active run per estate: returns the run id holding the lock (this one if acquired). */
  acquireRunLock(estate: string, runId: string): Promise<string>;
  releaseRunLock(estate: string, runId: string): Promise<void>;
  /** The run holding the estate's lock, if any (a run's end is not finished while it still holds it). */
  runLockHolder(estate: string): Promise<string | undefined>;
}
