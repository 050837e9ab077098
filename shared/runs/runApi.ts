import { parseDrillScope } from "../config/drillScope.js";
import type { HealthReport } from "../domain/health/healthReport.js";
import type { Scope } from "../domain/plan.js";
import type { DnsPort } from "../ports/dns.js";
import type { HealthHistoryEntry } from "../ports/healthHistory.js";
import type { IdempotencyStore } from "../ports/idempotency.js";
import type { Logger } from "../ports/logger.js";
import type { RoutePort } from "../ports/routes.js";
import type { SiteRecoveryPort } from "../ports/siteRecovery.js";
import type { CapacityReads } from "../health/previewCapacity.js";
import type { DrillCleanup } from "./drillCleanup.js";
import type { RunControl } from "./runControl.js";

/** Settings of the run API (app settings, validated by loadConfig). */
export interface RunApiSettings {
  /** The approver of a run must be someone other than its requester (APPROVAL_SEPARATE_APPROVER). */
  readonly separateApprover: boolean;
  /** App Service authentication fronts the app, so its x-ms-client-principal header can be trusted (AUTH_APP_SERVICE_PRINCIPAL=trust). */
  readonly trustClientPrincipal: boolean;
  /** The scheduled drill: its scope (null: no scheduled drill) and when it cleans up on its own. */
  readonly drill: { readonly scope: Scope | null; readonly cleanupAfterMinutes: number };
}

/** What the manual-run, run-control, audit and drill handlers need beyond the engine. */
export interface RunApiRoot {
  /** ASR, DNS and routes, read by dry runs and pre-checks. */
  readonly reads: {
    readonly siteRecovery: SiteRecoveryPort;
    readonly dns: DnsPort;
    readonly routes: RoutePort;
    readonly capacity?: CapacityReads;
    /** The latest nightly report in full (the preview shows its AD DNS and network findings). */
    readonly latestHealthReport?: () => Promise<HealthReport | undefined>;
  };
  readonly idempotency: IdempotencyStore;
  runControlFor(log: Logger): RunControl;
  /** The automatic cleanup of failed or cancelled drills (its timer arrives on the incident-check queue). */
  drillCleanupFor(log: Logger): DrillCleanup;
  readonly settings: RunApiSettings;
  /** The newest health-check report, if any (a red one holds scheduled drills back). */
  latestHealth(): Promise<HealthHistoryEntry | undefined>;
}

/** The app settings the run API reads, as loadConfig validated them. */
export interface RunApiConfig {
  readonly APPROVAL_SEPARATE_APPROVER: "true" | "false";
  readonly AUTH_APP_SERVICE_PRINCIPAL: "trust" | "ignore";
  readonly DRILL_SCOPE: string;
  readonly DRILL_CLEANUP_AFTER_MINUTES: number;
}

export function runApiSettings(config: RunApiConfig): RunApiSettings {
  return {
    separateApprover: config.APPROVAL_SEPARATE_APPROVER === "true",
    trustClientPrincipal: config.AUTH_APP_SERVICE_PRINCIPAL === "trust",
    drill: { scope: parseDrillScope(config.DRILL_SCOPE), cleanupAfterMinutes: config.DRILL_CLEANUP_AFTER_MINUTES },
  };
}
