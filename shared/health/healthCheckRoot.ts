import type { LeftoverTestVm } from "../domain/health/leftoverTestVms.js";
import type { HealthHistoryPort } from "../ports/healthHistory.js";
import type { Logger } from "../ports/logger.js";
import { runHealthCheck, type HealthCheckDeps, type HealthCheckOutcome, type HealthCheckRequest } from "./runHealthCheck.js";

/** What the timer function (and the sandbox's admin endpoint, and `npm run healthcheck`) runs, and where its reports are kept. */
export interface HealthCheckRoot {
  run(request: HealthCheckRequest, log: Logger): Promise<HealthCheckOutcome>;
  readonly history: HealthHistoryPort;
  /** The test failovers ASR holds now, read live (scheduled drills refuse to start while any exist). */
  leftoverTestVms(): Promise<LeftoverTestVm[]>;
}

/** A root from its dependencies, built per invocation around the invocation's logger. */
export function healthCheckRootFrom(
  depsFor: (log: Logger) => HealthCheckDeps,
  history: HealthHistoryPort,
  leftoverTestVms: () => Promise<LeftoverTestVm[]>,
): HealthCheckRoot {
  return { run: (request, log) => runHealthCheck(depsFor(log), request), history, leftoverTestVms };
}
