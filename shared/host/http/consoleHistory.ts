import { buildRunReport } from "../../reports/buildRunReport.js";
import type { UserCall } from "./route.js";

/** How many runs and health checks the history view charts. */
export const CONSOLE_HISTORY_RUNS = 30;
export const CONSOLE_HISTORY_HEALTH_CHECKS = 30;

/** GET /api/console/history: every recent drill and failover with its RTO and data-loss window against the targets, and the health checks. */
export async function consoleHistory({ root }: UserCall): Promise<Record<string, unknown>> {
  const { estate, runs, clock } = root;
  const recent = (await runs.listRuns(estate.name)).slice(0, CONSOLE_HISTORY_RUNS);
  const reports = await Promise.all(recent.map(async (run) => buildRunReport(estate, run, await runs.listSteps(run.runId), clock.now())));
  const health = await root.healthCheck.history.list(estate.name, CONSOLE_HISTORY_HEALTH_CHECKS);
  return {
    runs: reports.map((r, i) => ({
      runId: r.runId,
      mode: r.mode,
      trigger: r.trigger,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      outcome: r.outcome,
      recovered: r.recovered,
      rtoSeconds: r.rtoSeconds,
      rtoFromDetectionSeconds: r.rtoFromDetectionSeconds,
      rtoTargetSeconds: r.rtoTargetSeconds,
      dataLossWindowSeconds: r.dataLossWindowSeconds,
      rpoTargetSeconds: r.rpoTargetSeconds,
      // A drill's cleanup run recovers nothing: the history lists it (by the drill it cleans up, else its trigger), the RTO chart leaves it out.
      cleanupOf: recent[i]?.request.cleanupOnly === true ? (recent[i].request.cleanupOf ?? recent[i].trigger) : null,
    })),
    healthChecks: health,
  };
}
