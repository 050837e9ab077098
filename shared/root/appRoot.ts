import type { createAlertService } from "../incidents/alertService.js";
import type { AlertAuthMode } from "../auth/authenticate.js";
import type { TokenVerifier } from "../auth/tokenVerifier.js";
import type { Estate } from "../domain/estate.js";
import type { HealthCheckRoot } from "../health/healthCheckRoot.js";
import { lazyRoot } from "./lazyRoot.js";
import type { Engine } from "../runs/engine.js";
import type { RunApiRoot } from "../runs/runApi.js";
import type { AuditLog } from "../ports/auditLog.js";
import type { Clock } from "../ports/clock.js";
import type { Logger } from "../ports/logger.js";
import type { NotificationService } from "../notifications/notificationService.js";
import type { RunStore } from "../ports/runStore.js";

export type AlertService = ReturnType<typeof createAlertService>;

/** Everything a function handler needs, built once per process. */
export interface AppRoot {
  readonly estate: Estate;
  readonly clock: Clock;
  readonly runs: RunStore;
  readonly audit: AuditLog;
  readonly alertAuth: AlertAuthMode;
  /** Verifies operators' bearer tokens (Entra ID). */
  readonly verifyToken: TokenVerifier;
  engineFor(log: Logger): Engine;
  alertsFor(log: Logger): AlertService;
  /** Notification worker, channel health and a run's delivery status. */
  readonly notifications: NotificationService;
  /** Manual runs, run control, audit reads and scheduled drills (shared/host/http/failover.ts, runActions.ts, ...). */
  readonly runApi: RunApiRoot;
  /** The nightly health check over the same clients, history and notifier. */
  readonly healthCheck: HealthCheckRoot;
}

const appRoot = lazyRoot(() => import("../adapters/productionRoot.js").then((m) => m.buildProductionRoot(process.env)));

/** The process's root: the production wiring unless a host (the sandbox, a test) installed its own with `useAppRoot`. */
export function getAppRoot(): Promise<AppRoot> {
  return appRoot.get();
}

export function useAppRoot(installed: AppRoot): void {
  appRoot.use(installed);
}
