import { lazyRoot } from "../lazyRoot.js";
import type { Logger } from "../ports/logger.js";
import { runHealthCheck, type HealthCheckDeps, type HealthCheckOutcome, type HealthCheckRequest } from "./runHealthCheck.js";

/** What the timer function (and the sandbox's admin endpoint, and `npm run healthcheck`) runs. */
export interface HealthCheckRoot {
  run(request: HealthCheckRequest, log: Logger): Promise<HealthCheckOutcome>;
}

/** A root from its dependencies, built per invocation around the invocation's logger. */
export function healthCheckRootFrom(depsFor: (log: Logger) => HealthCheckDeps): HealthCheckRoot {
  return { run: (request, log) => runHealthCheck(depsFor(log), request) };
}

const healthCheckRoot = lazyRoot(() => import("../adapters/healthCheckComposition.js").then((m) => m.buildProductionHealthCheck(process.env)));

/**
 * What the timer function runs: the production wiring unless a host (the sandbox, a test, the
 * local CLI) installed its own with `useHealthCheckRoot`. Kept apart from the AppRoot so the
 * nightly check still runs, and reports to the log, when the rest of the app cannot start.
 */
export function getHealthCheckRoot(): Promise<HealthCheckRoot> {
  return healthCheckRoot.get();
}

export function useHealthCheckRoot(installed: HealthCheckRoot): void {
  healthCheckRoot.use(installed);
}
