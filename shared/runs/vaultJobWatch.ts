import { isDrError } from "../ports/errors.js";
import type { OutgoingMessage, StepMessage } from "../ports/queue.js";
import type { StepRecord } from "../ports/runStore.js";
import type { AsrJob } from "../ports/siteRecovery.js";
import type { EngineDeps, EngineTiming } from "./engineDeps.js";
import { judgeJob } from "./executors/asrOperation.js";
import { stepMessageId } from "./messageIds.js";
import type { ObservedJob, StepWake } from "./stepMessage.js";

/**
 * Follows every ASR job of a run in one vault with one ReplicationJobs_List per look, instead of one
 * replicationJobs.get per job and poll: a step that started (or adopted) a job parks on it, and this
 * watch wakes each parked step whose job is over, carrying the job as listed so the step does not read
 * it again. The watch is a chain of messages on the step queue, one per look, with ids fixed by the run,
 * the vault and the time slot of the look: every step parking on a job asks for the look due when its
 * job is usually over, and asks for the same slot as its siblings, so Service Bus duplicate detection
 * turns a wave of parkings into one look. A look that finds jobs still running asks for the next one;
 * a look that finds no parked step ends the chain, and the next parking starts it again. Nothing is
 * stored for the watch itself: the parked steps (status waiting, with the job in `followsJob`) are its
 * state, so a crash or a redelivery of a look repeats a list and re-sends wake-ups under the same ids.
 */

/** Step ids of job watches: never a plan step's id (planFailover.ts names those). */
const WATCH_PREFIX = "asr-jobs:";
/** Looks are aligned on slots, so parkings a few seconds apart ask for the same look. */
const SLOT_MS = 5_000;
/**
 * The list asks for jobs started since the oldest parked step began following its job, less this: the
 * step records `since` after ASR answered the POST, and ASR's own startTime comes a little earlier.
 */
const LIST_MARGIN_MS = 10 * 60_000;

export const watchStepId = (vault: string): string => `${WATCH_PREFIX}${vault}`;
export const isWatchStepId = (stepId: string): boolean => stepId.startsWith(WATCH_PREFIX);
const vaultOfWatch = (stepId: string): string => stepId.slice(WATCH_PREFIX.length);

/** The look of `vault`'s jobs due at or just after `at`. */
export function watchLook(runId: string, vault: string, at: number): OutgoingMessage<StepWake> {
  const slot = Math.ceil(at / SLOT_MS);
  return {
    messageId: stepMessageId(runId, watchStepId(vault), slot),
    body: { runId, stepId: watchStepId(vault), seq: slot },
    deliverAt: new Date(slot * SLOT_MS),
  };
}

export interface VaultJobWatch {
  /** One look: list the vault's jobs, wake the steps whose job is over, ask for the next look if any still runs. */
  look(message: StepWake): Promise<void>;
  /** A look dead-lettered: the chain is started again a poll interval later, under another slot. */
  restart(message: StepMessage): Promise<void>;
}

export function createVaultJobWatch(deps: EngineDeps, timing: EngineTiming): VaultJobWatch {
  const { estate, store, queue, clock, log, siteRecovery } = deps;
  const rtoMs = estate.objectives.rtoMinutes * 60_000;

  async function look(message: StepWake): Promise<void> {
    const { runId, stepId, seq: slot } = message;
    const vaultKey = vaultOfWatch(stepId);
    const vault = estate.vaults[vaultKey];
    if (!vault) {
      log.error("job watch of an unknown vault dropped", { runId, vault: vaultKey });
      return;
    }
    const parked = (await store.listStepsFollowingJobs(runId, vaultKey)).filter((p) => p.value.status === "waiting" && p.value.followsJob?.vault === vaultKey);
    if (parked.length === 0) return; // nothing waits here now: the next step to park asks for a look again
    const now = clock.now().getTime();
    const oldest = Math.min(...parked.map((p) => Date.parse(p.value.followsJob?.since ?? "")).filter(Number.isFinite));
    const startedSince = new Date((Number.isFinite(oldest) ? oldest : now) - LIST_MARGIN_MS);

    let retryAfterSeconds: number | undefined;
    const budget = deps.armBudget;
    const list = async (): Promise<AsrJob[] | undefined> => {
      try {
        return await siteRecovery.listJobs(vault, startedSince);
      } catch (error) {
        // Throttled even after the SDK's retries: look again when ARM says, without failing anything.
        if (isDrError(error) && error.code === "Throttled") {
          retryAfterSeconds = error.retryAfterSeconds ?? timing.vaultPollSeconds;
          return undefined;
        }
        throw error;
      }
    };
    const measured = budget ? await budget.measure(list) : { value: await list(), usage: { reads: 1, writes: 0, throttled: 0 } };
    const jobs = measured.value;
    const carried = {
      reads: measured.usage.reads + (message.arm?.reads ?? 0),
      writes: measured.usage.writes + (message.arm?.writes ?? 0),
      throttled: measured.usage.throttled + (message.arm?.throttled ?? 0),
    };

    const byName = new Map((jobs ?? []).map((job) => [job.name.toLowerCase(), job]));
    const wakes: OutgoingMessage<StepWake>[] = [];
    let nextLook = retryAfterSeconds !== undefined ? now + retryAfterSeconds * 1000 : undefined;
    const pollMs = timing.vaultPollSeconds * 1000 * (budget ? budget.readPressure(clock.now()) : 1);
    for (const { value: record } of parked) {
      const followed = record.followsJob;
      if (!followed) continue;
      const job = byName.get(followed.jobName.toLowerCase());
      const expectedBy = Date.parse(followed.expectedBy);
      const overRto = now - Date.parse(followed.since) > rtoMs;
      // A job the list does not name is asked for by its step once it is due (the filter's boundary is not documented).
      const missingWhenDue = jobs !== undefined && !job && now >= expectedBy;
      if ((job && judgeJob(job).kind !== "running") || overRto || missingWhenDue) {
        // A look put off by a state store outage put off these wake-ups too: each step records it (engine.ts).
        const woken = wakeOf(record, job);
        wakes.push(message.deferral ? { ...woken, body: { ...woken.body, deferral: message.deferral } } : woken);
        continue;
      }
      const due = expectedBy > now ? expectedBy : now + pollMs;
      nextLook = Math.min(nextLook ?? due, due);
    }
    const messages: OutgoingMessage<StepWake>[] = wakes.map((w, i) => (i === 0 ? { ...w, body: { ...w.body, arm: carried } } : w));
    if (nextLook !== undefined) {
      const next = watchLook(runId, vaultKey, Math.max(nextLook, (slot + 1) * SLOT_MS));
      messages.push(wakes.length === 0 ? { ...next, body: { ...next.body, arm: carried } } : next);
    }
    log.info("ASR jobs of a vault looked at", {
      runId,
      vault: vaultKey,
      parked: parked.length,
      listed: jobs?.length ?? 0,
      woken: wakes.length,
      throttled: jobs === undefined,
    });
    await queue.send(messages);
  }

  async function restart(message: StepMessage): Promise<void> {
    const vaultKey = vaultOfWatch(message.stepId);
    log.error("job watch look dead-lettered, watch restarted", { runId: message.runId, vault: vaultKey, slot: message.seq });
    await queue.send([watchLook(message.runId, vaultKey, clock.now().getTime() + timing.vaultPollSeconds * 1000)]);
  }

  return { look, restart };
}

/** The wake-up of a parked step: its current seq, so a repeat is dropped as a duplicate. */
function wakeOf(record: StepRecord, job: AsrJob | undefined): OutgoingMessage<StepWake> {
  const { runId } = record;
  const stepId = record.step.id;
  return {
    messageId: stepMessageId(runId, stepId, record.seq),
    body: { runId, stepId, seq: record.seq, ...(job ? { job: observed(job) } : {}) },
  };
}

function observed(job: AsrJob): ObservedJob {
  return { name: job.name, state: job.state, stateDescription: job.stateDescription, scenarioName: job.scenarioName, errors: job.errors, testVms: job.testVms };
}
