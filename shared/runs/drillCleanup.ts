import type { Estate } from "../domain/estate.js";
import type { IncidentCheckMessage } from "../incidents/alertService.js";
import type { AuditLog } from "../ports/auditLog.js";
import type { Clock } from "../ports/clock.js";
import { isDrError } from "../ports/errors.js";
import type { Logger } from "../ports/logger.js";
import type { QueuePort } from "../ports/queue.js";
import type { RunDecisions, RunRecord, RunStore, StepRecord } from "../ports/runStore.js";
import type { SiteRecoveryPort } from "../ports/siteRecovery.js";
import type { Engine } from "./engine.js";
import { protectedItemRef } from "./executors/estateLookup.js";

/**
 * A failed or cancelled drill cleans up after itself: when it ends, a message is scheduled on the
 * incident-check queue for the end of its grace period (DRILL_CLEANUP_AFTER_MINUTES, the inspection
 * window a finished drill gets too). When it arrives, the test VMs ASR still holds for the drill's VMs
 * are cleaned up by one cleanup run. Crash safe: the message is scheduled before the run's end is
 * complete (a redelivery schedules it again, under the same message id); the cleanup run's id is
 * derived from the drill's and claimed on the drill's record under its ETag before it is started, so
 * a duplicate delivery finds the claim and starts nothing new. An operator may extend the grace period
 * (the run's cleanupGrace); a message due before the current due time only re-sends the one that is due.
 */

/** The check ids of drill cleanups: 'drill-cleanup:<runId>:<due epoch ms>:<attempt>'. */
export const DRILL_CLEANUP_CHECK_PREFIX = "drill-cleanup:";
/** While ASR jobs or another run are in the way, the cleanup tries again this often... */
export const CLEANUP_RETRY_MINUTES = 15;
/** ...this many times (6 h), then says so: the health check then reports the test VMs red. */
export const CLEANUP_MAX_ATTEMPTS = 24;
/** How far past the drill's end operators may put the cleanup off: test VMs block failovers of their VMs and every drill. */
export const MAX_GRACE_AFTER_END_MINUTES = 7 * 24 * 60;

export interface DrillCleanupCheck {
  readonly runId: string;
  readonly dueAt: Date;
  readonly attempt: number;
}

export function drillCleanupCheckId(runId: string, dueAt: Date, attempt: number): string {
  return `${DRILL_CLEANUP_CHECK_PREFIX}${runId}:${dueAt.getTime()}:${attempt}`;
}

export function parseDrillCleanupCheckId(checkId: string): DrillCleanupCheck | undefined {
  const m = /^drill-cleanup:([A-Za-z0-9][A-Za-z0-9._-]{0,99}):(\d{1,15}):(\d{1,4})$/.exec(checkId);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { runId: m[1], dueAt: new Date(Number(m[2])), attempt: Number(m[3]) };
}

/** A drill that did not end with its own cleanup: failed or cancelled, and not itself a cleanup run. */
export function needsAutomaticCleanup(run: RunRecord): boolean {
  return run.mode === "test" && !run.request.cleanupOnly && (run.status === "failed" || run.status === "cancelled");
}

/** When the automatic cleanup is due: as operators extended it, else the grace period after the drill's end. */
export function cleanupDueAt(run: RunRecord, graceMinutes: number): Date | undefined {
  if (run.decisions?.cleanupGrace) return new Date(run.decisions.cleanupGrace.dueAt);
  return run.finishedAt ? new Date(new Date(run.finishedAt).getTime() + graceMinutes * 60_000) : undefined;
}

export const cleanupRunIdFor = (runId: string): string => `${runId}-cleanup`;

/** The VMs of a drill whose test failover ASR still holds: being created (busy) or waiting for cleanup. */
export async function testVmsLeftBy(
  estate: Estate,
  siteRecovery: SiteRecoveryPort,
  steps: readonly StepRecord[],
): Promise<{ readonly busy: readonly string[]; readonly toClean: readonly string[] }> {
  const vms = steps.flatMap((s) => (s.step.kind === "failover" && s.journal.intentAt ? [s.step.vm] : []));
  const states = await Promise.all(vms.map(async (vm) => ({ vm, item: await siteRecovery.getProtectedItem(protectedItemRef(estate, vm)) })));
  return {
    busy: states.filter((s) => s.item.currentScenario.name === "TestFailover" && !s.item.allowedOperations.includes("TestFailoverCleanup")).map((s) => s.vm),
    toClean: states.filter((s) => s.item.allowedOperations.includes("TestFailoverCleanup")).map((s) => s.vm),
  };
}

export interface DrillCleanupDeps {
  readonly estate: Estate;
  readonly store: RunStore;
  readonly checks: QueuePort<IncidentCheckMessage>;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly log: Logger;
  readonly engine: Engine;
  readonly siteRecovery: SiteRecoveryPort;
  readonly graceMinutes: number;
}

export type DrillCleanupOutcome =
  | { readonly outcome: "started"; readonly cleanupRunId: string; readonly vms: readonly string[] }
  | { readonly outcome: "nothingLeft" | "ignored" | "superseded" | "retryLater" | "gaveUp" | "alreadyDone"; readonly detail: string };

export interface DrillCleanup {
  /** At a run's end: schedules the cleanup of a failed or cancelled drill (no-op for any other run). */
  schedule(run: RunRecord): Promise<void>;
  /** The scheduled message arrived. */
  handle(check: DrillCleanupCheck): Promise<DrillCleanupOutcome>;
}

const MAX_WRITE_ATTEMPTS = 8;

export function createDrillCleanup(deps: DrillCleanupDeps): DrillCleanup {
  const { estate, store, clock, log } = deps;

  const send = (runId: string, dueAt: Date, attempt: number, deliverAt: Date = dueAt): Promise<void> => {
    const checkId = drillCleanupCheckId(runId, dueAt, attempt);
    return deps.checks.send([{ messageId: checkId, body: { estate: estate.name, checkId }, deliverAt }]);
  };

  const audit = (result: string, runId: string, detail: string): Promise<void> =>
    deps.audit.append({ at: clock.now().toISOString(), who: "system", action: "drill cleanup", result, runId, detail });

  async function schedule(run: RunRecord): Promise<void> {
    if (!needsAutomaticCleanup(run) || run.decisions?.autoCleanup) return;
    const dueAt = cleanupDueAt(run, deps.graceMinutes);
    if (!dueAt) return;
    await send(run.runId, dueAt, 0);
    log.info("drill cleanup scheduled", { runId: run.runId, dueAt: dueAt.toISOString() });
  }

  /** Records what the cleanup did on the drill's run, under its ETag; false when it was recorded meanwhile. */
  async function claim(runId: string, autoCleanup: NonNullable<RunDecisions["autoCleanup"]>): Promise<boolean> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const entry = await store.getRun(runId);
      if (!entry || entry.value.decisions?.autoCleanup) return false;
      try {
        await store.updateRun({ ...entry.value, decisions: { ...entry.value.decisions, autoCleanup } }, entry.etag);
        return true;
      } catch (error) {
        if (isDrError(error) && error.code === "PreconditionFailed") continue;
        throw error;
      }
    }
    return false;
  }

  async function retryLater(check: DrillCleanupCheck, why: string): Promise<DrillCleanupOutcome> {
    if (check.attempt + 1 >= CLEANUP_MAX_ATTEMPTS) {
      const detail = `gave up after ${CLEANUP_MAX_ATTEMPTS} attempts: ${why}; the health check reports the test VMs until someone cleans up (POST /api/runs/${check.runId}/cleanup)`;
      await claim(check.runId, { at: clock.now().toISOString(), outcome: "gaveUp" });
      await audit("gave up", check.runId, detail);
      log.warn("drill cleanup gave up", { runId: check.runId, why });
      return { outcome: "gaveUp", detail };
    }
    await send(check.runId, check.dueAt, check.attempt + 1, new Date(clock.now().getTime() + CLEANUP_RETRY_MINUTES * 60_000));
    log.info("drill cleanup put off", { runId: check.runId, why, attempt: check.attempt + 1 });
    return { outcome: "retryLater", detail: `${why}; trying again in ${CLEANUP_RETRY_MINUTES} min` };
  }

  /** Starts the claimed cleanup run, or re-sends its first messages if it was created but a crash came before they went out. */
  async function startClaimed(check: DrillCleanupCheck, cleanupRunId: string, vms: readonly string[], auditStart: boolean): Promise<DrillCleanupOutcome> {
    const existing = await store.getRun(cleanupRunId);
    if (existing && (await store.runLockHolder(estate.name)) !== cleanupRunId)
      return { outcome: "alreadyDone", detail: `cleanup run ${cleanupRunId} was started (${existing.value.status})` };
    const started = await deps.engine.startRun(
      { mode: "test", scope: { kind: "vms", vms: [...vms] }, cleanupOnly: true, cleanupOf: check.runId },
      `automatic cleanup of drill ${check.runId}`,
      cleanupRunId,
    );
    if (!started.started) return retryLater(check, `run ${started.activeRunId} is active`);
    if (!existing && auditStart) await audit("started", check.runId, `cleanup run ${cleanupRunId} removes the test VMs of ${vms.join(", ")}`);
    log.info("drill cleanup started", { runId: check.runId, cleanupRunId, vms: vms.length });
    return { outcome: "started", cleanupRunId, vms };
  }

  async function handle(check: DrillCleanupCheck): Promise<DrillCleanupOutcome> {
    const entry = await store.getRun(check.runId);
    if (!entry || entry.value.estate !== estate.name) return { outcome: "ignored", detail: `no run '${check.runId}'` };
    const run = entry.value;
    if (!needsAutomaticCleanup(run))
      return { outcome: "ignored", detail: `run ${run.runId} is a ${run.mode} run that ${run.status === "running" ? "is still running" : run.status}` };
    const done = run.decisions?.autoCleanup;
    if (done) {
      // A retry after the run lock refused the start audits it; a duplicate of the first delivery does not.
      if (done.outcome === "started" && done.runId) return startClaimed(check, done.runId, done.vms ?? [], check.attempt > 0);
      return { outcome: "alreadyDone", detail: `the automatic cleanup already ended (${done.outcome} at ${done.at})` };
    }
    const due = cleanupDueAt(run, deps.graceMinutes);
    if (due && check.dueAt.getTime() < due.getTime()) {
      await send(run.runId, due, 0); // the one that is due; a duplicate of it is dropped by the queue
      return { outcome: "superseded", detail: `put off until ${due.toISOString()}` };
    }
    const left = await testVmsLeftBy(estate, deps.siteRecovery, await store.listSteps(run.runId));
    if (left.busy.length > 0) return retryLater(check, `test failovers still running for ${left.busy.join(", ")}`);
    if (left.toClean.length === 0) {
      const detail = "nothing left to clean up: no test VM of this drill remains in ASR";
      if (await claim(run.runId, { at: clock.now().toISOString(), outcome: "nothingLeft" })) await audit("nothing left", run.runId, detail);
      return { outcome: "nothingLeft", detail };
    }
    const cleanupRunId = cleanupRunIdFor(run.runId);
    const won = await claim(run.runId, { at: clock.now().toISOString(), outcome: "started", runId: cleanupRunId, vms: left.toClean });
    // Whoever won the claim, the run record now names the cleanup: start what it names.
    const claimed = (await store.getRun(run.runId))?.value.decisions?.autoCleanup;
    if (claimed?.outcome !== "started" || !claimed.runId)
      return { outcome: "alreadyDone", detail: `the automatic cleanup already ended (${claimed?.outcome ?? "unknown"})` };
    return startClaimed(check, claimed.runId, claimed.vms ?? [], won);
  }

  return { schedule, handle };
}
