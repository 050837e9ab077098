import type { CheckStatus, HealthReport } from "../domain/health/healthReport.js";

/** One line of history: enough to list and compare nights without loading the reports. */
export interface HealthHistoryEntry {
  readonly reportId: string;
  readonly estate: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly trigger: string;
  readonly isPastDue: boolean;
  readonly overall: CheckStatus;
  readonly summary: string;
  readonly counts: Readonly<Record<CheckStatus, number>>;
}

export type LeaseResult = { readonly acquired: true; readonly etag: string } | { readonly acquired: false; readonly heldBy: string; readonly until: string };

/** Health reports kept over time, and the lease that keeps two health checks of one estate from running at once. */
export interface HealthHistoryPort {
  save(report: HealthReport): Promise<void>;
  /** Newest first. */
  list(estate: string, limit: number): Promise<HealthHistoryEntry[]>;
  get(estate: string, reportId: string): Promise<HealthReport | undefined>;
  /** Takes the estate's health-check lease until `until` unless someone else holds an unexpired one (ETag-guarded). */
  acquireLease(estate: string, holder: string, now: Date, until: Date): Promise<LeaseResult>;
  /** Gives the lease back if `holder` still has it. */
  releaseLease(estate: string, holder: string): Promise<void>;
}
