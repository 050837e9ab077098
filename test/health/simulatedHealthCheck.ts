import { afterAll, expect, inject } from "vitest";
import type { Estate } from "../../shared/domain/estate.js";
import type { HealthReport } from "../../shared/domain/health/healthReport.js";
import { silentLogger } from "../../shared/ports/logger.js";
import { createLocalHealthCheck, type LocalHealthCheck } from "../../local/healthcheck.js";
import type { FaultPlan } from "../../local/simulated-azure/simulatedAzure.js";
import { SimulatedClock } from "../../local/simulatedClock.js";

// Each check runs over its own local stack; their Service Bus peers close with the file.
const opened: LocalHealthCheck[] = [];
afterAll(() => Promise.all(opened.splice(0).map((h) => h.stop())));

/**
 * One nightly health check of `estate` through the real SDK clients against simulated Azure with
 * `faults`, on frozen simulated time (2026-03-01T02:00Z), replication readers only; the simulator
 * must not have been misused. `holder` names the check's lease.
 */
export async function simulatedHealthCheck(estate: Estate, faults: FaultPlan, holder: string): Promise<{ local: LocalHealthCheck; report: HealthReport }> {
  const local = await createLocalHealthCheck({
    estate,
    tableEndpoint: inject("tableEndpoint"),
    faults,
    replicationOnly: true,
    clock: new SimulatedClock(new Date("2026-03-01T02:00:00Z"), { realTime: false }),
  });
  opened.push(local);
  const outcome = await local.root.run({ trigger: "test", isPastDue: false, holder }, silentLogger);
  if (outcome.status !== "completed") throw new Error("skipped");
  expect(local.azure.misuse).toEqual([]);
  return { local, report: outcome.report };
}
