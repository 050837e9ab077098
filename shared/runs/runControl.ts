import { patchJournal } from "./stepContext.js";
import { samePrincipal } from "../auth/principalId.js";
import { decisionGateId } from "../domain/planFailover.js";
import type { Estate } from "../domain/estate.js";
import type { RunDecision } from "../domain/plan.js";
import type { AuditLog } from "../ports/auditLog.js";
import type { Clock } from "../ports/clock.js";
import { isDrError } from "../ports/errors.js";
import type { Logger } from "../ports/logger.js";
import type { QueuePort } from "../ports/queue.js";
import type { DecisionRecord, RunRecord, RunStore, StepRecord } from "../ports/runStore.js";
import type { SiteRecoveryPort } from "../ports/siteRecovery.js";
import { cleanupDueAt, MAX_GRACE_AFTER_END_MINUTES, needsAutomaticCleanup, testVmsLeftBy, type DrillCleanup } from "./drillCleanup.js";
import type { Engine } from "./engine.js";
import { stepMessageId } from "./messageIds.js";

/** The person acting, as the API authenticated them. */
export interface Actor {
  readonly id: string;
  readonly name: string;
}

export interface Refusal {
  readonly ok: false;
  readonly status: 403 | 404 | 409;
  readonly title: string;
  readonly detail: string;
  readonly extra?: Readonly<Record<string, unknown>>;
}

export type ControlOutcome =
  { readonly ok: true; readonly status: 200 | 202; readonly runId: string; readonly body: Readonly<Record<string, unknown>> } | Refusal;

export interface RunControlDeps {
  readonly estate: Estate;
  readonly store: RunStore;
  readonly queue: QueuePort;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly log: Logger;
  /** Starts the sweep run that cleans up a drill which failed or was cancelled. */
  readonly engine: Engine;
  readonly siteRecovery: SiteRecoveryPort;
  /** The approver of a run must be someone other than the person who requested it. */
  readonly separateApprover: boolean;
  /** Schedules the automatic cleanup of a drill that is cancelled; absent: a cancelled drill waits for an operator's cleanup. */
  readonly drillCleanup?: DrillCleanup;
  /** The grace period before a failed or cancelled drill is cleaned up on its own (DRILL_CLEANUP_AFTER_MINUTES). */
  readonly cleanupGraceMinutes?: number;
}

export interface RunControl {
  approve(runId: string, actor: Actor): Promise<ControlOutcome>;
  commit(runId: string, actor: Actor): Promise<ControlOutcome>;
  cleanup(runId: string, actor: Actor): Promise<ControlOutcome>;
  cancel(runId: string, actor: Actor, reason: string): Promise<ControlOutcome>;
  resume(runId: string, actor: Actor): Promise<ControlOutcome>;
  /** Puts off the automatic cleanup of a failed or cancelled drill by `minutes`. */
  extendCleanup(runId: string, actor: Actor, minutes: number, reason: string): Promise<ControlOutcome>;
}

const refuse = (status: Refusal["status"], title: string, detail: string, extra?: Record<string, unknown>): Refusal => ({
  ok: false,
  status,
  title,
  detail,
  ...(extra ? { extra } : {}),
});
const conflict = (detail: string, extra?: Record<string, unknown>): Refusal => refuse(409, "Conflict", detail, extra);
const MAX_WRITE_ATTEMPTS = 8;

/** An action either answers at once or writes the run and then finishes (wakes, cancels, requeues). */
type ActionStep =
  | { readonly answer: ControlOutcome }
  | { readonly write: RunRecord; readonly after: (run: RunRecord, steps: readonly StepRecord[]) => Promise<ControlOutcome> };

// ---- Pure decisions: what an action may do to a run, from the run and its steps alone. ----

type Decided = Refusal | { readonly ok: true; readonly already?: DecisionRecord };

const gateOf = (steps: readonly StepRecord[], decision: RunDecision): StepRecord | undefined =>
  steps.find((s) => s.step.kind === "awaitDecision" && s.step.id === decisionGateId(decision));

/** Approve: the run waits for approval, nobody approved it yet, and (option) the approver is not the requester. */
export function decideApproval(run: RunRecord, steps: readonly StepRecord[], actor: Actor, separateApprover: boolean): Decided {
  if (run.status !== "running") return conflict(`run ${run.runId} is ${run.status}: there is nothing to approve`);
  if (!gateOf(steps, "approve")) return conflict(`run ${run.runId} does not wait for approval`);
  if (run.decisions?.approve) return { ok: true, already: run.decisions.approve };
  if (separateApprover && run.requestedBy !== undefined && samePrincipal(run.requestedBy, actor.id)) {
    return refuse(403, "Forbidden", `${actor.name} requested run ${run.runId}: another person with the approver role must approve it`);
  }
  return { ok: true };
}

/** Commit (unplanned) once every tier is ready; cleanup (test) of a running drill, also ahead of its gate. */
export function decideConfirm(run: RunRecord, steps: readonly StepRecord[], decision: "commit" | "cleanup"): Decided {
  const mode = decision === "commit" ? "unplanned" : "test";
  if (run.mode !== mode)
    return conflict(
      decision === "commit"
        ? `run ${run.runId} is a ${run.mode} run: only an unplanned failover is committed`
        : `run ${run.runId} is a ${run.mode} run: only a test failover is cleaned up`,
    );
  if (run.status !== "running") return conflict(`run ${run.runId} is ${run.status}`);
  const gate = gateOf(steps, decision);
  if (!gate) return conflict(`run ${run.runId} does its ${decision} on its own once every tier is ready`);
  if (run.decisions?.[decision]) return { ok: true, already: run.decisions[decision] };
  if (decision === "commit" && (gate.status === "pending" || gate.status === "queued")) {
    return conflict(`not yet: run ${run.runId} can be committed once every tier is failed over and checked (gate ${gate.step.id} is ${gate.status})`);
  }
  return { ok: true };
}

/** Cancel: steps not started are cancelled (gates too); steps in flight finish and are named. */
export function decideCancel(
  run: RunRecord,
  steps: readonly StepRecord[],
): Refusal | { readonly ok: true; readonly inFlight: readonly StepRecord[]; readonly toCancel: readonly StepRecord[] } {
  if (run.status !== "running") return conflict(`run ${run.runId} is already ${run.status}`);
  const isGate = (s: StepRecord): boolean => s.step.kind === "awaitDecision";
  return {
    ok: true,
    inFlight: steps.filter((s) => s.status === "running" || (s.status === "waiting" && !isGate(s))),
    toCancel: steps.filter((s) => s.status === "pending" || s.status === "queued" || (s.status === "waiting" && isGate(s))),
  };
}

/** Resume: only a failed run with a failed step; the failed step is retried after a person fixed its cause. */
export function decideResume(run: RunRecord, steps: readonly StepRecord[]): Refusal | { readonly ok: true; readonly failed: readonly string[] } {
  if (run.status === "cancelled") return conflict(`run ${run.runId} was cancelled: start a new run instead`);
  if (run.status !== "failed") return conflict(`run ${run.runId} is ${run.status}: only a failed run is resumed`);
  const failed = steps.filter((s) => s.status === "failed").map((s) => s.step.id);
  if (failed.length === 0) return conflict(`run ${run.runId} has no failed step to retry`);
  return { ok: true, failed };
}

/**
 * Extend: a drill that failed or was cancelled, whose automatic cleanup has not run, by at most
 * MAX_GRACE_AFTER_END_MINUTES after its end. The new due time counts from now or from the current
 * due time, whichever is later.
 */
export function decideCleanupExtension(
  run: RunRecord,
  now: Date,
  minutes: number,
  graceMinutes: number,
): Refusal | { readonly ok: true; readonly dueAt: Date; readonly previousDueAt: Date } {
  if (run.mode !== "test" || run.request.cleanupOnly) return conflict(`run ${run.runId} is not a drill: there is no automatic cleanup to put off`);
  if (run.status === "running")
    return conflict(`run ${run.runId} is running: its cleanup follows its plan (POST /api/runs/${run.runId}/cleanup to clean up now)`);
  if (!needsAutomaticCleanup(run)) return conflict(`run ${run.runId} succeeded: it cleaned up after itself`);
  const done = run.decisions?.autoCleanup;
  if (done) return conflict(`the automatic cleanup of run ${run.runId} already ran (${done.outcome} at ${done.at})`, { autoCleanup: done });
  const previousDueAt = cleanupDueAt(run, graceMinutes);
  if (!previousDueAt || !run.finishedAt) return conflict(`run ${run.runId} has no recorded end`);
  const dueAt = new Date(Math.max(now.getTime(), previousDueAt.getTime()) + minutes * 60_000);
  const latest = new Date(new Date(run.finishedAt).getTime() + MAX_GRACE_AFTER_END_MINUTES * 60_000);
  if (dueAt > latest)
    return conflict(
      `the cleanup can be put off until ${latest.toISOString()} at the latest (${MAX_GRACE_AFTER_END_MINUTES / 1440} days after the drill ended): its test VMs block failovers and drills of their VMs`,
      { latestDueAt: latest.toISOString(), dueAt: previousDueAt.toISOString() },
    );
  return { ok: true, dueAt, previousDueAt };
}

/**
 * A step's record after a resume, and whether it must be woken. Failed steps and steps cancelled
 * because the run had stopped run again (a fresh wake-up number, so no old message acts); a
 * pending step gets the dependencies that succeeded meanwhile (a step that finished after the run
 * failed never handed over) and is queued when all are met. Running, waiting, queued and
 * succeeded steps are left as they are. Undefined: nothing to change.
 */
export function resumedStep(record: StepRecord, succeeded: ReadonlySet<string>): { readonly record: StepRecord; readonly wake: boolean } | undefined {
  // Kept as well as added: a step woken by this resume may have handed over since `succeeded` was listed.
  const satisfied = record.step.dependsOn.filter((d) => succeeded.has(d) || record.satisfied.includes(d));
  const ready = satisfied.length === record.step.dependsOn.length;
  if (record.status === "failed" || record.status === "cancelled") {
    const { error: _error, finishedAt: _finished, startedAt: _started, wakeAt: _wake, ...kept } = record; // a resumed step starts afresh
    const journal = patchJournal(record.journal, { resumeToken: undefined });
    const fresh: StepRecord = { ...kept, journal, satisfied, retries: 0, seq: record.seq + 1, status: ready ? "queued" : "pending" };
    return { record: fresh, wake: ready };
  }
  if (record.status === "pending") {
    const changed = satisfied.length !== record.satisfied.length || ready;
    return changed ? { record: { ...record, satisfied, status: ready ? "queued" : "pending" }, wake: ready } : undefined;
  }
  return undefined;
}

// ---- Effects: the decisions applied to the run store and the step queue. ----

export function createRunControl(deps: RunControlDeps): RunControl {
  const { store, clock, audit, log } = deps;
  const nowIso = (): string => clock.now().toISOString();

  async function record(actor: Actor, action: string, runId: string, outcome: ControlOutcome): Promise<ControlOutcome> {
    const result = outcome.ok ? (outcome.status === 200 ? "already recorded" : "accepted") : `refused ${outcome.status}`;
    await audit.append({
      at: nowIso(),
      who: actor.name,
      action,
      result,
      runId,
      detail: outcome.ok ? JSON.stringify(outcome.body).slice(0, 1000) : outcome.detail,
    });
    return outcome;
  }

  /** Reads the run and its steps, decides, and writes the run under its ETag, deciding again after a conflict. */
  async function withRun(runId: string, decide: (run: RunRecord, steps: readonly StepRecord[]) => Promise<ActionStep>): Promise<ControlOutcome> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const entry = await store.getRun(runId);
      if (!entry || entry.value.estate !== deps.estate.name) return refuse(404, "Not found", `no run '${runId}'`);
      const steps = await store.listSteps(runId);
      const decided = await decide(entry.value, steps);
      if ("answer" in decided) return decided.answer;
      try {
        await store.updateRun(decided.write, entry.etag);
      } catch (error) {
        if (isDrError(error) && error.code === "PreconditionFailed") continue; // the engine moved the run: decide again
        throw error;
      }
      return decided.after(decided.write, steps);
    }
    return conflict(`run ${runId} kept changing while the action was recorded; try again`);
  }

  /** Wakes a gate that waits (parked, or scheduled later): a fresh wake-up number, sent now. */
  async function wakeGate(runId: string, stepId: string): Promise<void> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const entry = await store.getStep(runId, stepId);
      // Not reached yet: it reads the decision when it is. Running: the engine re-reads the run after parking.
      if (!entry || entry.value.status !== "waiting") return;
      const next: StepRecord = { ...entry.value, wakeAt: undefined, seq: entry.value.seq + 1 };
      try {
        await store.updateStep(next, entry.etag);
      } catch (error) {
        if (isDrError(error) && error.code === "PreconditionFailed") continue;
        throw error;
      }
      await deps.queue.send([{ messageId: stepMessageId(runId, stepId, next.seq), body: { runId, stepId, seq: next.seq } }]);
      return;
    }
  }

  async function decide(
    runId: string,
    decision: RunDecision,
    actor: Actor,
    check: (run: RunRecord, steps: readonly StepRecord[]) => Decided,
  ): Promise<ControlOutcome> {
    const outcome = await withRun(runId, (run, steps) => {
      const decided = check(run, steps);
      if (!decided.ok) return Promise.resolve({ answer: decided });
      if (decided.already)
        return Promise.resolve({
          answer: { ok: true as const, status: 200 as const, runId, body: { runId, decision, ...decided.already, alreadyRecorded: true } },
        });
      const made: DecisionRecord = { by: actor.id, byName: actor.name, at: nowIso() };
      return Promise.resolve({
        write: { ...run, decisions: { ...run.decisions, [decision]: made } },
        after: async () => {
          await wakeGate(runId, decisionGateId(decision));
          log.info("run decision recorded", { runId, decision, by: actor.name });
          return { ok: true as const, status: 202 as const, runId, body: { runId, decision, ...made } };
        },
      });
    });
    return record(actor, decision, runId, outcome);
  }

  /** A drill that failed or was cancelled may have left test VMs: a sweep run cleans up those ASR still holds. */
  async function sweep(run: RunRecord, steps: readonly StepRecord[], actor: Actor): Promise<ControlOutcome> {
    if (run.status === "succeeded") return conflict(`run ${run.runId} succeeded: its cleanup already ran`);
    const { busy, toClean } = await testVmsLeftBy(deps.estate, deps.siteRecovery, steps);
    if (busy.length > 0)
      return conflict(`test failovers still running for ${busy.join(", ")}: clean up once they finish`, { retryAfterSeconds: 60, vms: busy });
    if (toClean.length === 0)
      return {
        ok: true,
        status: 200,
        runId: run.runId,
        body: { runId: run.runId, cleanup: "nothing left to clean up: no test VM of this drill remains in ASR" },
      };
    const started = await deps.engine.startRun(
      { mode: "test", scope: { kind: "vms", vms: [...toClean] }, cleanupOnly: true, cleanupOf: run.runId },
      `cleanup of ${run.runId} by ${actor.name}`,
      undefined,
      { requestedBy: actor.id },
    );
    if (!started.started) return conflict(`run ${started.activeRunId} is active: the cleanup can start once it ends`, { activeRunId: started.activeRunId });
    return { ok: true, status: 202, runId: started.runId, body: { runId: started.runId, cleanupOf: run.runId, vms: toClean } };
  }

  return {
    approve: (runId, actor) => decide(runId, "approve", actor, (run, steps) => decideApproval(run, steps, actor, deps.separateApprover)),

    commit: (runId, actor) => decide(runId, "commit", actor, (run, steps) => decideConfirm(run, steps, "commit")),

    async cleanup(runId, actor) {
      const entry = await store.getRun(runId);
      if (entry && entry.value.mode === "test" && entry.value.status !== "running") {
        return record(actor, "cleanup", runId, await sweep(entry.value, await store.listSteps(runId), actor));
      }
      return decide(runId, "cleanup", actor, (run, steps) => decideConfirm(run, steps, "cleanup"));
    },

    async cancel(runId, actor, reason) {
      const outcome = await withRun(runId, (run, steps) => {
        const decided = decideCancel(run, steps);
        if (!decided.ok) return Promise.resolve({ answer: decided });
        const at = nowIso();
        const cancelled: RunRecord = {
          ...run,
          status: "cancelled" as const,
          finishedAt: at,
          failureReason: `cancelled by ${actor.name}: ${reason}`,
          decisions: { ...run.decisions, cancel: { by: actor.id, byName: actor.name, at, reason } },
        };
        // Scheduled before the cancel is written: a crash in between leaves a message that finds the run still running and does nothing.
        const scheduled = deps.drillCleanup ? deps.drillCleanup.schedule(cancelled) : Promise.resolve();
        return scheduled.then(() => ({
          write: cancelled,
          after: async (cancelled: RunRecord) => {
            await store.releaseRunLock(cancelled.estate, runId);
            const done: string[] = [];
            for (const step of decided.toCancel) if (await cancelStep(runId, step.step.id, at)) done.push(step.step.id);
            log.info("run cancelled", { runId, by: actor.name, inFlight: decided.inFlight.length });
            return {
              ok: true as const,
              status: 202 as const,
              runId,
              body: {
                runId,
                status: "cancelled",
                inFlight: decided.inFlight.map((s) => ({
                  id: s.step.id,
                  kind: s.step.kind,
                  target: s.step.target,
                  status: s.status,
                  detail: s.detail ?? null,
                })),
                cancelledSteps: done,
                note:
                  decided.inFlight.length > 0
                    ? "Steps in flight finish (an ASR job already started is not stopped); nothing new starts."
                    : "Nothing was in flight; nothing new starts.",
                ...(cancelled.mode === "test" ? { next: cancelNext(cancelled) } : {}),
              },
            };
          },
        }));
      });
      return record(actor, "cancel", runId, outcome);
    },

    async resume(runId, actor) {
      const entry = await store.getRun(runId);
      if (!entry) return record(actor, "resume", runId, refuse(404, "Not found", `no run '${runId}'`));
      const precheck = decideResume(entry.value, await store.listSteps(runId));
      if (!precheck.ok) return record(actor, "resume", runId, precheck);
      const holder = await store.acquireRunLock(entry.value.estate, runId);
      if (holder !== runId) return record(actor, "resume", runId, conflict(`run ${holder} is active: resume once it ends`, { activeRunId: holder }));
      const outcome = await withRun(runId, (run, steps) => {
        const decided = decideResume(run, steps);
        if (!decided.ok) return Promise.resolve({ answer: decided });
        const resumes = [
          ...(run.decisions?.resumes ?? []),
          { by: actor.id, byName: actor.name, at: nowIso(), steps: decided.failed, previousFailure: run.failureReason ?? "" },
        ];
        return Promise.resolve({
          write: { ...run, finishedAt: undefined, failureReason: undefined, status: "running" as const, decisions: { ...run.decisions, resumes } },
          after: async () => {
            const woken = await requeue(runId);
            log.info("run resumed", { runId, by: actor.name, steps: woken });
            return { ok: true as const, status: 202 as const, runId, body: { runId, status: "running", retried: decided.failed, queued: woken } };
          },
        });
      });
      if (!outcome.ok) await store.releaseRunLock(entry.value.estate, runId);
      return record(actor, "resume", runId, outcome);
    },

    async extendCleanup(runId, actor, minutes, reason) {
      const drillCleanup = deps.drillCleanup;
      const grace = deps.cleanupGraceMinutes ?? 0;
      const outcome = await withRun(runId, (run) => {
        if (!drillCleanup) return Promise.resolve({ answer: conflict("automatic drill cleanup is not configured") });
        const decided = decideCleanupExtension(run, clock.now(), minutes, grace);
        if (!decided.ok) return Promise.resolve({ answer: decided });
        const extension = { by: actor.id, byName: actor.name, at: nowIso(), minutes, reason };
        const cleanupGrace = { dueAt: decided.dueAt.toISOString(), extensions: [...(run.decisions?.cleanupGrace?.extensions ?? []), extension] };
        return Promise.resolve({
          write: { ...run, decisions: { ...run.decisions, cleanupGrace } },
          after: async (written: RunRecord) => {
            // The message due at the earlier time re-sends this one too, should this send be lost to a crash.
            await drillCleanup.schedule(written);
            log.info("drill cleanup put off", { runId, by: actor.name, dueAt: cleanupGrace.dueAt });
            return {
              ok: true as const,
              status: 202 as const,
              runId,
              body: { runId, cleanupDueAt: cleanupGrace.dueAt, previousDueAt: decided.previousDueAt.toISOString(), minutes, reason, by: actor.name },
            };
          },
        });
      });
      return record(actor, "extend cleanup", runId, outcome);
    },
  };

  function cancelNext(cancelled: RunRecord): string {
    const dueAt = deps.drillCleanup && needsAutomaticCleanup(cancelled) ? cleanupDueAt(cancelled, deps.cleanupGraceMinutes ?? 0) : undefined;
    return dueAt
      ? `The test VMs this drill created are cleaned up on their own at ${dueAt.toISOString()}; POST /api/runs/${cancelled.runId}/cleanup does it now, POST /api/runs/${cancelled.runId}/extend-cleanup puts it off`
      : `POST /api/runs/${cancelled.runId}/cleanup removes the test VMs this drill created`;
  }

  async function cancelStep(runId: string, stepId: string, at: string): Promise<boolean> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const entry = await store.getStep(runId, stepId);
      if (!entry) return false;
      const s = entry.value;
      const cancellable = s.status === "pending" || s.status === "queued" || (s.status === "waiting" && s.step.kind === "awaitDecision");
      if (!cancellable) return false;
      try {
        await store.updateStep({ ...s, status: "cancelled", finishedAt: at, error: "not started: the run was cancelled" }, entry.etag);
        return true;
      } catch (error) {
        if (!(isDrError(error) && error.code === "PreconditionFailed")) throw error;
      }
    }
    return false;
  }

  /** Applies `resumedStep` to every step (re-reading on conflict) and wakes those that became ready. */
  async function requeue(runId: string): Promise<string[]> {
    const woken: string[] = [];
    const steps = await store.listSteps(runId);
    const succeeded = new Set(steps.filter((s) => s.status === "succeeded").map((s) => s.step.id));
    for (const { step } of steps) {
      for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
        const entry = await store.getStep(runId, step.id);
        const next = entry && resumedStep(entry.value, succeeded);
        if (!entry || !next) break;
        try {
          await store.updateStep(next.record, entry.etag);
        } catch (error) {
          if (isDrError(error) && error.code === "PreconditionFailed") continue;
          throw error;
        }
        if (next.wake) {
          await deps.queue.send([{ messageId: stepMessageId(runId, step.id, next.record.seq), body: { runId, stepId: step.id, seq: next.record.seq } }]);
          woken.push(step.id);
        }
        break;
      }
    }
    return woken;
  }
}
