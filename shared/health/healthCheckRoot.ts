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

let root: Promise<HealthCheckRoot> | undefined;

/**
 * The production wiring, built lazily on first use (never at import time), unless a host (the
 * sandbox, a test, the local CLI) installed its own with `useHealthCheckRoot`.
 */
export function getHealthCheckRoot(): Promise<HealthCheckRoot> {
  root ??= import("../adapters/healthCheckComposition.js")
    .then((m) => m.buildProductionHealthCheck(process.env))
    .catch((error: unknown) => {
      root = undefined; // a failed start (bad settings, network) is retried by the next run
      throw error;
    });
  return root;
}

export function useHealthCheckRoot(installed: HealthCheckRoot): void {
  root = Promise.resolve(installed);
}
