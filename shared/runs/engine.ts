import { newRunId, systemRandom } from "../ports/random.js";
import { planFailover } from "../domain/planFailover.js";
import { modeName, successorsOf, type FailoverRequest } from "../domain/plan.js";
import { isDrError } from "../ports/errors.js";
import type { FailedStepInfo, NotifierPort } from "../ports/notifier.js";
import type { OutgoingMessage, StepMessage } from "../ports/queue.js";
import type { RunRecord, StepRecord, Versioned } from "../ports/runStore.js";
import type { Step } from "../domain/plan.js";
import { DEFAULT_TIMING, type EngineDeps, type EngineTiming } from "./engineDeps.js";
import { executorFor } from "./executors/index.js";
import { deferredStepMessageId, stepMessageId } from "./messageIds.js";
import { runEvent } from "./runEvent.js";
import { patchJournal, type StepContext } from "./stepContext.js";
import { nextStoreOutageDeferral, type StepWake, type StoreOutageDeferral } from "./stepMessage.js";
import { stepArmCost } from "./stepArmCost.js";
import type { StepOutcome } from "./stepOutcome.js";
import { addArmUsage, totalArmUsage } from "./armUsage.js";
import { createVaultJobWatch, isWatchStepId, watchLook } from "./vaultJobWatch.js";

export interface StartRunResult {
  readonly runId: string;
  /** False when another run of the estate is active: `activeRunId` names it. */
  readonly started: boolean;
  readonly activeRunId: string;
}

export interface StartRunOptions {
  /** The person who asked for the run (principal id): recorded so an approver can be told apart. */
  readonly requestedBy?: string;
  /** When the outage behind the run was detected (the incident's first alert), for the report's RTO from detection. */
  readonly detectedAt?: string;
}

export interface Engine {
  startRun(request: FailoverRequest, trigger: string, runId?: string, options?: StartRunOptions): Promise<StartRunResult>;
  /** The Service Bus trigger's work: execute one step wake-up, then enqueue what became ready. */
  handleStepMessage(message: StepWake): Promise<void>;
  /** A step message reached max delivery count: the step and its run are failed, people told. */
  handleDeadLetter(message: StepMessage, reason: string): Promise<void>;
}

/**
 * The step's own durable state could not be written (another execution moved it first, or the
 * store failed). Never a step failure: the message is abandoned and the redelivery starts over
 * from what was recorded.
 */
export class StepStateError extends Error {
  override readonly name = "StepStateError";
}

/** From this many successors on, a finished step reads all the run's steps (one query) rather than naming them. */
const BATCHED_SUCCESSORS = 8;
const CHECK_KINDS: ReadonlySet<string> = new Set(["verifyTargetDc", "guestChecks", "healthProbe"]);

export function createEngine(deps: EngineDeps): Engine {
  const { estate, store, queue, clock, log } = deps;
  const timing: EngineTiming = { ...DEFAULT_TIMING, ...deps.timing };
  const boundary = deps.boundary ?? (() => undefined);
  const random = deps.random ?? systemRandom;
  const notifier = neverThrowing(deps.notifier, deps);
  // Executors (tier milestones, completion) notify through the same guard: a notifier can't fail a step.
  const stepDeps: EngineDeps = { ...deps, notifier };
  const nowIso = (): string => clock.now().toISOString();
  const watch = createVaultJobWatch(deps, timing);
  const wake = (runId: string, stepId: string, seq: number, deliverAt?: string): OutgoingMessage => ({
    messageId: stepMessageId(runId, stepId, seq),
    body: { runId, stepId, seq },
    ...(deliverAt ? { deliverAt: new Date(deliverAt) } : {}),
  });
  /**
   * A step's first wake-up, delayed until the subscription's ARM budget has room for the requests it will
   * make (booked now): a wave of 375 failovers or 1,000 commits is spread at ARM's refill rate instead of
   * running into 429s.
   */
  const firstWake = (runId: string, step: Step): OutgoingMessage => {
    const delaySeconds = deps.armBudget?.book(stepArmCost(step), clock.now()) ?? 0;
    return wake(runId, step.id, 0, delaySeconds > 0 ? new Date(clock.now().getTime() + delaySeconds * 1000).toISOString() : undefined);
  };

  async function startRun(
    request: FailoverRequest,
    trigger: string,
    runId = newRunId(clock.now(), random),
    options: StartRunOptions = {},
  ): Promise<StartRunResult> {
    const plan = planFailover(estate, request);
    const holder = await store.acquireRunLock(estate.name, runId);
    if (holder !== runId) return { runId, started: false, activeRunId: holder };
    boundary("lockAcquired", { runId });

    const existing = await store.getRun(runId);
    const run: RunRecord = existing?.value ?? {
      runId,
      estate: estate.name,
      mode: request.mode,
      request,
      trigger,
      notes: plan.notes,
      status: "running",
      startedAt: nowIso(),
      ...(options.requestedBy !== undefined ? { requestedBy: options.requestedBy } : {}),
      ...(options.detectedAt !== undefined ? { detectedAt: options.detectedAt } : {}),
    };
    if (!existing) {
      const successors = successorsOf(plan);
      const records: StepRecord[] = plan.steps.map((step) => ({
        runId,
        step,
        status: "pending",
        successors: successors.get(step.id) ?? [],
        satisfied: [],
        seq: 0,
        retries: 0,
        journal: {},
      }));
      await store.createRun(run, records);
      boundary("runCreated", { runId });
    }
    await queue.send(plan.steps.filter((s) => s.dependsOn.length === 0).map((s) => firstWake(runId, s)));
    log.info("run started", { runId, mode: request.mode, trigger, steps: plan.steps.length });
    await notifier.notify(
      runEvent(run, "runStarted", clock.now(), `${modeName(run.mode)} of ${estate.name} started (${run.trigger}).`, {
        trigger: run.trigger,
        vms: plan.steps.flatMap((s) => (s.kind === "failover" || s.kind === "plannedFailback" || s.kind === "reprotect" ? [s.vm] : [])),
      }),
    );
    return { runId, started: true, activeRunId: runId };
  }

  async function handleStepMessage(message: StepWake): Promise<void> {
    try {
      await handleWake(message);
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error;
      await deferWhileStoreIsDown(message, error);
    }
  }

  /**
   * The state store cannot be reached: rather than burn the message's deliveries in seconds and
   * dead-letter the step, the same wake-up is re-sent for later and this delivery completes. The
   * copy is one more delivery of the same (runId, stepId, seq), which the engine already treats as
   * possibly repeated: only the delivery matching the step's recorded seq acts, and every write is
   * conditional on the ETag read. So a copy racing a redelivery of the original (a crash after the
   * send, before completion) or a write that landed although its answer was lost is harmless; and
   * the copy's id is fixed per deferral, so sending it again is dropped as a duplicate. The store
   * still down after the patience window, or the send failing, the error goes up: normal redelivery.
   */
  async function deferWhileStoreIsDown(message: StepWake, error: unknown): Promise<void> {
    const { runId, stepId, seq } = message;
    const now = clock.now();
    const next = nextStoreOutageDeferral(message.deferral, now);
    if (!next) {
      log.error("state store unreachable for too long, step wake-up left to redelivery", {
        runId,
        stepId,
        seq,
        since: message.deferral?.since,
        deferrals: message.deferral?.count,
      });
      throw error;
    }
    const { deferral, delaySeconds } = next;
    const body: StepWake = { runId, stepId, seq, deferral };
    await queue.send([
      { messageId: deferredStepMessageId(runId, stepId, seq, deferral.count), body, deliverAt: new Date(now.getTime() + delaySeconds * 1000) },
    ]);
    log.warn("state store unreachable, step wake-up deferred", {
      runId,
      stepId,
      seq,
      deferrals: deferral.count,
      since: deferral.since,
      delaySeconds,
      error: error instanceof Error ? error.message : String(error),
    });
  }

  /** The store is back for a deferred wake-up: the step's journal keeps how long it was put off (once per outage). */
  async function recordStoreOutage(record: StepRecord, etag: string, deferral: StoreOutageDeferral): Promise<{ record: StepRecord; etag: string }> {
    const outages = record.journal.storeOutages ?? [];
    if (outages.some((o) => o.since === deferral.since)) return { record, etag };
    const noted: StepRecord = {
      ...record,
      journal: { ...record.journal, storeOutages: [...outages, { since: deferral.since, until: nowIso(), deferrals: deferral.count }] },
    };
    return { record: noted, etag: await writeStep(noted, etag) };
  }

  async function handleWake(message: StepWake): Promise<void> {
    if (isWatchStepId(message.stepId)) return watch.look(message);
    const { runId, stepId, seq } = message;
    const keys = { runId, stepId, seq };
    const [runEntry, stepEntry] = await Promise.all([store.getRun(runId), store.getStep(runId, stepId)]);
    if (!runEntry || !stepEntry) {
      log.error("step message for an unknown run or step dropped", keys);
      return;
    }
    const run = runEntry.value;
    let record = stepEntry.value;
    let etag = stepEntry.etag;
    if (message.deferral && seq === record.seq && record.status !== "cancelled") ({ record, etag } = await recordStoreOutage(record, etag, message.deferral));

    if (record.status === "succeeded") return advance(run, record); // redelivered after success: finish the hand-over
    // Redelivered after the step failed: a crash may have come before the run's failure was recorded in full.
    if (record.status === "failed")
      return failRun(runId, `step ${stepId} failed: ${record.error ?? "no reason recorded"}`, failedStepInfo(record, record.error ?? ""));
    if (record.status === "cancelled") return;
    if (seq < record.seq) {
      // The next wake-up was recorded; a crash may have come before it was sent. Same id: no duplicate.
      // A step parked on a job is woken by its vault's watch: ask for the look instead.
      if (seq === record.seq - 1 && record.followsJob) await queue.send([watchLook(runId, record.followsJob.vault, Date.parse(record.followsJob.expectedBy))]);
      else if (seq === record.seq - 1) await queue.send([wake(runId, stepId, record.seq, record.wakeAt)]);
      return;
    }
    if (seq > record.seq) {
      log.warn("step message ahead of its step dropped", { ...keys, stepSeq: record.seq });
      return;
    }
    const notStarted = record.status === "pending" || record.status === "queued";
    if (notStarted && run.status !== "running") {
      await writeStep({ ...record, status: "cancelled", finishedAt: nowIso(), error: `not started: the run is ${run.status}` }, etag);
      return;
    }
    // The claim (status running) goes with the step's first write: the intent before a side effect, or its outcome.
    let claimPending = notStarted;
    if (notStarted) record = { ...record, status: "running", startedAt: record.startedAt ?? nowIso() };
    const write = async (next: StepRecord): Promise<void> => {
      etag = await writeStep(next, etag);
      record = next;
      if (claimPending) {
        claimPending = false;
        boundary("stepClaimed", keys);
      }
    };
    // Woken: the job it was parked on is no longer what it waits for (the outcome says what comes next).
    if (record.followsJob) record = { ...record, followsJob: undefined };
    if (message.arm) record = { ...record, arm: addArmUsage(record.arm, message.arm) };

    const context: StepContext = {
      step: record.step,
      run,
      deps: stepDeps,
      timing,
      ...(message.job ? { observedJob: message.job } : {}),
      get journal() {
        return record.journal;
      },
      async saveJournal(patch) {
        try {
          boundary("journalSaving", { ...keys, fields: Object.keys(patch) });
          await write({ ...record, journal: patchJournal(record.journal, patch) });
          boundary("journalSaved", keys);
        } catch (error) {
          throw error instanceof StepStateError ? error : new StepStateError(`journal of step ${stepId} not written`, { cause: error });
        }
      },
    };
    const measured = deps.armBudget ? await deps.armBudget.measure(() => execute(context)) : { value: await execute(context), usage: undefined };
    const outcome = measured.value;
    if (measured.usage && (measured.usage.reads > 0 || measured.usage.writes > 0)) record = { ...record, arm: addArmUsage(record.arm, measured.usage) };
    log.info("step executed", {
      ...keys,
      kind: record.step.kind,
      target: record.step.target,
      tier: record.step.tier,
      outcome: outcome.status,
      detail: outcome.status === "failed" ? outcome.reason : outcome.detail,
    });
    if (outcome.status !== "waiting" && outcome.status !== "followingJob") {
      await audit({
        action: `step ${record.step.kind} ${record.step.target}`,
        result: outcome.status === "failed" && outcome.retryable ? "failed (retryable)" : outcome.status,
        runId,
        detail: `${stepId}: ${outcome.status === "failed" ? outcome.reason : outcome.detail}`,
      });
    }

    switch (outcome.status) {
      case "done": {
        await write({ ...record, status: "succeeded", finishedAt: nowIso(), detail: outcome.detail, journal: { ...record.journal, output: outcome.output } });
        boundary("stepSucceeded", keys);
        return advance(run, record);
      }
      case "waiting": {
        const next: StepRecord = {
          ...record,
          ...(outcome.detail ? { detail: outcome.detail } : {}),
          ...(outcome.journal ? { journal: patchJournal(record.journal, outcome.journal) } : {}),
        };
        if (!outcome.journal) return scheduleWake(next, write, outcome.afterSeconds);
        boundary("journalSaving", { ...keys, fields: Object.keys(outcome.journal) });
        await scheduleWake(
          next,
          async (r) => {
            try {
              await write(r);
            } catch (error) {
              throw error instanceof StepStateError ? error : new StepStateError(`journal of step ${stepId} not written`, { cause: error });
            }
            boundary("journalSaved", keys);
          },
          outcome.afterSeconds,
        );
        return;
      }
      case "followingJob": {
        // Parked on the job: no message of its own; the vault's job watch wakes it when the job is over.
        const parked: StepRecord = {
          ...record,
          status: "waiting",
          seq: record.seq + 1,
          wakeAt: undefined,
          followsJob: outcome.job,
          ...(outcome.journal ? { journal: patchJournal(record.journal, outcome.journal) } : {}),
          ...(outcome.detail ? { detail: outcome.detail } : {}),
        };
        if (outcome.journal) boundary("journalSaving", { ...keys, fields: Object.keys(outcome.journal) });
        try {
          await write(parked);
        } catch (error) {
          throw error instanceof StepStateError ? error : new StepStateError(`journal of step ${stepId} not written`, { cause: error });
        }
        if (outcome.journal) boundary("journalSaved", keys);
        boundary("wakeScheduled", keys);
        await queue.send([watchLook(runId, outcome.job.vault, Date.parse(outcome.job.expectedBy))]);
        return;
      }
      case "parked": {
        const parked: StepRecord = { ...record, status: "waiting", seq: record.seq + 1, wakeAt: undefined, detail: outcome.detail };
        await write(parked);
        boundary("stepParked", keys);
        // A decision recorded while this execution ran would otherwise find the step not yet parked.
        const fresh = await store.getRun(runId);
        if (fresh && outcome.resumeIf(fresh.value)) await queue.send([wake(runId, stepId, parked.seq)]);
        return;
      }
      case "failed": {
        const limit = CHECK_KINDS.has(record.step.kind) ? timing.probeAttempts : timing.maxAttempts;
        if (outcome.retryable && record.retries + 1 < limit) {
          log.warn("step failed, will retry", { ...keys, reason: outcome.reason, retries: record.retries + 1 });
          return scheduleWake({ ...record, retries: record.retries + 1, error: outcome.reason }, write, outcome.afterSeconds ?? backoff(record.retries));
        }
        await write({ ...record, status: "failed", finishedAt: nowIso(), error: outcome.reason });
        boundary("stepFailed", keys);
        return failRun(runId, `step ${stepId} failed: ${outcome.reason}`, failedStepInfo(record, outcome.reason));
      }
    }
  }

  async function execute(context: StepContext): Promise<StepOutcome> {
    try {
      return await executorFor(context.step.kind)(context);
    } catch (error) {
      if (error instanceof StepStateError || isStoreUnavailable(error)) throw error;
      if (isDrError(error))
        return {
          status: "failed",
          reason: error.message,
          retryable: error.retryable,
          ...(error.retryAfterSeconds !== undefined ? { afterSeconds: error.retryAfterSeconds } : {}),
        };
      // Unexpected errors (a network blip below the SDK, a bug) are retried a bounded number of times.
      return { status: "failed", reason: error instanceof Error ? error.message : String(error), retryable: true };
    }
  }

  async function writeStep(record: StepRecord, etag: string): Promise<string> {
    try {
      return await store.updateStep(record, etag);
    } catch (error) {
      if (isDrError(error) && error.code === "PreconditionFailed")
        throw new StepStateError(`step ${record.step.id} of run ${record.runId} changed concurrently`);
      throw error;
    }
  }

  async function scheduleWake(record: StepRecord, write: (next: StepRecord) => Promise<void>, afterSeconds: number): Promise<void> {
    const next: StepRecord = { ...record, status: "waiting", seq: record.seq + 1, wakeAt: new Date(clock.now().getTime() + afterSeconds * 1000).toISOString() };
    await write(next);
    boundary("wakeScheduled", { runId: record.runId, stepId: record.step.id });
    await queue.send([wake(next.runId, next.step.id, next.seq, next.wakeAt)]);
  }

  /** Marks each successor's dependency as met and enqueues those that became ready. */
  async function advance(run: RunRecord, record: StepRecord): Promise<void> {
    // The run read when this message arrived may be stale: a resume since then (it writes the run before
    // it lists the steps) counts on this step's hand-over, so a stopped run is read again before skipping it.
    const current = run.status === "running" ? run : ((await store.getRun(run.runId))?.value ?? run);
    // A last step redelivered after its run was marked done may still owe the run's end (lock, audit).
    if (current.status === "running") {
      // One successor: a shared read-modify-write (milestones many steps finish into). Several: one read, batched writes.
      if (record.successors.length > 1) await satisfyInBatches(run.runId, record.successors, record.step.id);
      else for (const successor of record.successors) await satisfy(run.runId, successor, record.step.id);
    }
    if (record.successors.length === 0) await completeIfDone(run.runId);
  }

  /**
   * The fan-out of a tier's milestone (1,000 commits wait for it): the run's steps are read with one
   * query and updated 100 to a transaction, each on its ETag. A batch that lost a race to a sibling (412)
   * is done row by row as satisfy does, re-reading each row.
   */
  async function satisfyInBatches(runId: string, successors: readonly string[], dependency: string): Promise<void> {
    const wanted = new Set(successors);
    // Few successors: point reads (a filter on row keys makes Table Storage scan the partition); many: one query.
    const rows =
      successors.length >= BATCHED_SUCCESSORS
        ? (await store.listVersionedSteps(runId)).filter((r) => wanted.has(r.value.step.id))
        : (await Promise.all(successors.map((id) => store.getStep(runId, id)))).filter((r): r is Versioned<StepRecord> => r !== undefined);
    const found = new Set(rows.map((r) => r.value.step.id));
    const missing = successors.find((id) => !found.has(id));
    if (missing) throw new Error(`step ${missing} of run ${runId} is missing`);
    const changed: Versioned<StepRecord>[] = [];
    const ready: StepRecord[] = [];
    for (const { value, etag } of rows) {
      const next = withDependencyMet(value, dependency);
      if (next !== value) changed.push({ value: next, etag });
      if (next.status === "queued" && next.step.dependsOn.every((d) => next.satisfied.includes(d))) ready.push(next);
    }
    for (let i = 0; i < changed.length; i += 100) {
      const batch = changed.slice(i, i + 100);
      try {
        await store.updateSteps(batch);
      } catch (error) {
        if (!(isDrError(error) && error.code === "PreconditionFailed")) throw error;
        for (const { value } of batch) await satisfy(runId, value.step.id, dependency);
        continue;
      }
      boundary("dependencySatisfied", { runId, stepId: dependency });
    }
    if (ready.length > 0) await queue.send(ready.map((r) => firstWake(runId, r.step)));
  }

  async function satisfy(runId: string, stepId: string, dependency: string): Promise<void> {
    let record: StepRecord;
    try {
      // Siblings finishing into the same step at once share its read and write (RunStore.changeStep).
      record = await store.changeStep(runId, stepId, (step) => withDependencyMet(step, dependency));
    } catch (error) {
      if (isDrError(error) && error.code === "PreconditionFailed")
        throw new StepStateError(`step ${stepId} of run ${runId}: too much contention recording dependency ${dependency}`, { cause: error });
      throw error;
    }
    boundary("dependencySatisfied", { runId, stepId: dependency });
    const ready = record.step.dependsOn.every((d) => record.satisfied.includes(d));
    if (ready && record.status === "queued") await queue.send([firstWake(runId, record.step)]);
  }

  async function completeIfDone(runId: string): Promise<void> {
    const steps = await store.listSteps(runId);
    if (!steps.every((s) => s.status === "succeeded")) return;
    const entry = await store.getRun(runId);
    if (!entry) return;
    let run = entry.value;
    if (run.status === "running") {
      const armUsage = totalArmUsage(steps.map((s) => s.arm));
      run = { ...run, status: "succeeded", finishedAt: nowIso(), ...(armUsage ? { armUsage } : {}) };
      await store.updateRun(run, entry.etag);
      boundary("runCompleted", { runId });
    }
    if (run.status !== "succeeded") return;
    await finishRun(run, async () => {
      log.info("run succeeded", { runId });
      await audit({ action: `run ${run.mode}`, result: "succeeded", runId });
    });
  }

  async function failRun(runId: string, reason: string, failedStep?: FailedStepInfo): Promise<void> {
    const entry = await store.getRun(runId);
    if (!entry) return;
    let run = entry.value;
    if (run.status === "running") {
      run = { ...run, status: "failed", finishedAt: nowIso(), failureReason: reason };
      await store.updateRun(run, entry.etag);
      boundary("runFailed", { runId });
    }
    if (run.status !== "failed") return;
    const recorded = run.failureReason ?? reason;
    await finishRun(run, async () => {
      log.error("run failed", { runId, reason: recorded });
      await audit({ action: `run ${run.mode}`, result: "failed", runId, detail: recorded });
      await notifier.notify(
        runEvent(
          run,
          "runFailed",
          clock.now(),
          `${modeName(run.mode)} of ${run.estate} stopped: ${recorded}. Steps already in flight finish; nothing new starts.`,
          {
            ...(failedStep ? { failedStep, ...(failedStep.tier !== undefined ? { tier: failedStep.tier } : {}) } : {}),
          },
        ),
      );
    });
  }

  /**
   * What a run's end owes once its status is recorded: telling people and the audit trail, then
   * freeing the estate. The lock is released last, so while this run still holds it the end is
   * unfinished and a redelivery finishes it (the notice is deduplicated by its id); once released,
   * nothing is repeated.
   */
  async function finishRun(run: RunRecord, tell: () => Promise<void>): Promise<void> {
    if ((await store.runLockHolder(run.estate)) !== run.runId) return;
    await tell();
    await deps.onRunEnd?.(run);
    boundary("runEnded", { runId: run.runId });
    await store.releaseRunLock(run.estate, run.runId);
  }

  async function handleDeadLetter(message: StepMessage, reason: string): Promise<void> {
    if (isWatchStepId(message.stepId)) return watch.restart(message);
    const [runEntry, entry] = await Promise.all([store.getRun(message.runId), store.getStep(message.runId, message.stepId)]);
    if (!runEntry || !entry || entry.value.status === "failed" || entry.value.status === "cancelled") return;
    if (entry.value.status === "succeeded") {
      // The step was done; what died was its hand-over to the steps after it. Finish that, or say so.
      try {
        return await advance(runEntry.value, entry.value);
      } catch (error) {
        return failRun(message.runId, `steps after ${message.stepId} could not be started: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const why = `its message was dead-lettered (${reason})`;
    await writeStep({ ...entry.value, status: "failed", finishedAt: nowIso(), error: why }, entry.etag);
    await failRun(message.runId, `step ${message.stepId} failed: ${why}`, failedStepInfo(entry.value, why));
  }

  /** The audit trail never stops a failover: a failed append is logged and the run goes on. */
  async function audit(entry: { action: string; result: string; runId: string; detail?: string }): Promise<void> {
    if (!deps.audit) return;
    try {
      await deps.audit.append({ at: nowIso(), who: "system", ...entry });
    } catch (error) {
      log.warn("audit entry not written", { runId: entry.runId, action: entry.action, error: error instanceof Error ? error.message : String(error) });
    }
  }

  function backoff(retries: number): number {
    const ceiling = Math.min(timing.retryCapSeconds, timing.retryBaseSeconds * 2 ** retries);
    return ceiling / 2 + random.fraction() * (ceiling / 2); // jitter keeps retries of many steps apart
  }

  return { startRun, handleStepMessage, handleDeadLetter };
}

/** A notification never blocks or fails a failover: failures are logged and swallowed. */
function neverThrowing(notifier: NotifierPort, deps: EngineDeps): NotifierPort {
  return {
    async notify(event) {
      try {
        await notifier.notify(event);
      } catch (error) {
        deps.log.warn("notification failed", { runId: event.runId, kind: event.kind, error: error instanceof Error ? error.message : String(error) });
      }
    },
  };
}

/** The step with `dependency` met, queued if that was its last one; the same object when nothing changes. */
function withDependencyMet(record: StepRecord, dependency: string): StepRecord {
  let next = record;
  if (!next.satisfied.includes(dependency)) next = { ...next, satisfied: [...next.satisfied, dependency] };
  const ready = next.step.dependsOn.every((d) => next.satisfied.includes(d));
  if (ready && next.status === "pending") next = { ...next, status: "queued" };
  return next;
}

/** Table Storage could not be reached, directly or beneath a step state write that failed for it. */
function isStoreUnavailable(error: unknown): boolean {
  const cause = error instanceof StepStateError ? error.cause : error;
  return isDrError(cause) && cause.code === "StoreUnavailable";
}

function failedStepInfo(record: StepRecord, reason: string): FailedStepInfo {
  const { id, kind, target, tier } = record.step;
  return { id, kind, target, ...(tier !== undefined ? { tier } : {}), reason };
}
