import type { Estate } from "../domain/estate.js";
import { evaluateHealth } from "../domain/health/evaluateHealth.js";
import type { HealthReport } from "../domain/health/healthReport.js";
import { DEFAULT_THRESHOLDS, type HealthThresholds } from "../domain/health/thresholds.js";
import type { Clock } from "../ports/clock.js";
import type { HealthHistoryPort } from "../ports/healthHistory.js";
import type { Logger } from "../ports/logger.js";
import type { NotifierPort } from "../ports/notifier.js";
import { healthCheckEvent } from "./healthCheckEvent.js";
import { DEFAULT_READ_LIMITS, readHealthSnapshot, type HealthReaders, type HealthReadLimits } from "./readHealthSnapshot.js";

export interface HealthCheckDeps {
  readonly estate: Estate;
  readonly readers: HealthReaders;
  readonly history: HealthHistoryPort;
  readonly notifier: NotifierPort;
  readonly clock: Clock;
  readonly log: Logger;
  readonly limits?: Partial<HealthReadLimits>;
  readonly thresholds?: HealthThresholds;
  /** Where people open a report: `<base>/<reportId>`; absent, the notification has no link. */
  readonly reportBaseUrl?: string;
}

export interface HealthCheckRequest {
  /** 'timer', 'admin', 'cli'... */
  readonly trigger: string;
  /** The Functions host fired a missed occurrence late; recorded, and the check still runs. */
  readonly isPastDue: boolean;
  /** Who runs it (the invocation id): the lease holder. */
  readonly holder: string;
}

export type HealthCheckOutcome =
  | { readonly status: "completed"; readonly report: HealthReport; readonly saved: boolean }
  | { readonly status: "skipped"; readonly heldBy: string; readonly until: string };

/** The lease outlives the read budget by this much, so a crashed run's lease expires soon after it would have finished. */
const LEASE_MARGIN_MS = 2 * 60_000;

/**
 * One health check: take the estate's lease (two never run at once), read everything within the
 * budget, apply the rules, keep the report in history and tell people. Saving and notifying are
 * each isolated: a failure there is logged and never loses the report the caller gets back.
 */
export async function runHealthCheck(deps: HealthCheckDeps, request: HealthCheckRequest): Promise<HealthCheckOutcome> {
  const { estate, clock, log } = deps;
  const limits: HealthReadLimits = { ...DEFAULT_READ_LIMITS, ...deps.limits };
  const startedAt = clock.now();
  const reportId = `health-${compactStamp(startedAt)}-${request.holder.replace(/[^A-Za-z0-9]/g, "").slice(0, 8) || "run"}`;
  if (request.isPastDue) log.warn("health check timer is past due; running the missed check now", { reportId, estate: estate.name });

  const lease = await deps.history.acquireLease(estate.name, request.holder, startedAt, new Date(startedAt.getTime() + limits.budgetMs + LEASE_MARGIN_MS));
  if (!lease.acquired) {
    log.warn("health check skipped: another run holds the lease", { reportId, estate: estate.name, heldBy: lease.heldBy, until: lease.until });
    return { status: "skipped", heldBy: lease.heldBy, until: lease.until };
  }
  try {
    log.info("health check started", { reportId, estate: estate.name, trigger: request.trigger, isPastDue: request.isPastDue });
    const snapshot = await readHealthSnapshot(estate, deps.readers, clock, limits);
    const report = evaluateHealth(
      estate,
      snapshot,
      { reportId, trigger: request.trigger, isPastDue: request.isPastDue, startedAt, finishedAt: clock.now() },
      deps.thresholds ?? DEFAULT_THRESHOLDS,
    );
    let saved = true;
    try {
      await deps.history.save(report);
    } catch (error) {
      saved = false;
      log.error("health report not saved to history", { reportId, error: errorText(error) });
    }
    try {
      await deps.notifier.notify(healthCheckEvent(report, deps.reportBaseUrl ? `${deps.reportBaseUrl.replace(/\/$/, "")}/${reportId}` : undefined));
    } catch (error) {
      log.error("health check notification failed", { reportId, error: errorText(error) });
    }
    log.info("health check finished", { reportId, estate: estate.name, overall: report.overall, ...report.counts, saved });
    return { status: "completed", report, saved };
  } finally {
    try {
      await deps.history.releaseLease(estate.name, request.holder);
    } catch (error) {
      // It expires by itself shortly after the budget.
      log.warn("health check lease not released", { reportId, error: errorText(error) });
    }
  }
}

/** 20261125T020000Z */
export function compactStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
