import { app, type InvocationContext, type Timer } from "@azure/functions";
import { getHealthCheckRoot } from "../shared/health/healthCheckRoot.js";
import { invocationLogger } from "./invocationLogger.js";

export const HEALTH_CHECK_FUNCTION = "healthCheck";
/** App setting holding the NCRONTAB schedule (default '0 0 2 * * *', 02:00 UTC nightly); the host resolves %...%. */
export const HEALTH_CHECK_SCHEDULE_SETTING = "HEALTH_CHECK_SCHEDULE";

/**
 * The nightly health check. A missed occurrence (isPastDue) is recorded and still run; the
 * estate's lease keeps two runs (two instances, or the timer and a manual run) from overlapping;
 * the reads have a 4 min budget, well inside the host's 10 min functionTimeout.
 */
export async function handleHealthCheckTimer(timer: Timer, context: InvocationContext): Promise<void> {
  const log = invocationLogger(context);
  const root = await getHealthCheckRoot();
  const outcome = await root.run({ trigger: "timer", isPastDue: timer.isPastDue, holder: context.invocationId }, log);
  if (outcome.status === "skipped") return;
  log.info("health check report", { reportId: outcome.report.reportId, overall: outcome.report.overall, summary: outcome.report.summary, saved: outcome.saved });
}

app.timer(HEALTH_CHECK_FUNCTION, { schedule: `%${HEALTH_CHECK_SCHEDULE_SETTING}%`, runOnStartup: false, useMonitor: true, handler: handleHealthCheckTimer });
