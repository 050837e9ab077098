import { getAppRoot } from "../../root/appRoot.js";
import type { Invocation } from "../hostTypes.js";
import { invocationLogger } from "../invocationLogger.js";

export const HEALTH_CHECK_FUNCTION = "healthCheck";
/** App setting holding the NCRONTAB schedule (default '0 0 2 * * *', 02:00 UTC nightly); the host resolves %...%. */
export const HEALTH_CHECK_SCHEDULE_SETTING = "HEALTH_CHECK_SCHEDULE";

/**
 * The nightly health check. A missed occurrence (isPastDue) is recorded and still run; the
 * estate's lease keeps two runs (two instances, or the timer and a manual run) from overlapping;
 * the reads have a 4 min budget, well inside the host's 10 min functionTimeout. When the app
 * cannot start (a setting or the estate file is wrong), the check says so in the log and the
 * invocation fails, which is what the Function App's failure alert watches.
 */
export async function handleHealthCheckTimer(timer: { readonly isPastDue: boolean }, context: Invocation): Promise<void> {
  const log = invocationLogger(context);
  const root = await getAppRoot().catch((error: unknown) => {
    log.error("health check could not start: the app did not start", { error: error instanceof Error ? error.message.slice(0, 2_000) : String(error) });
    throw error;
  });
  const outcome = await root.healthCheck.run({ trigger: "timer", isPastDue: timer.isPastDue, holder: context.invocationId }, log);
  if (outcome.status === "skipped") return;
  log.info("health check report", {
    reportId: outcome.report.reportId,
    overall: outcome.report.overall,
    summary: outcome.report.summary,
    saved: outcome.saved,
  });
}
