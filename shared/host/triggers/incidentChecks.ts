import { HEALTH_CHECK_CHECK_PREFIX } from "../../health/healthCheckUrgency.js";
import { parseIncidentCheckMessage, type IncidentCheckMessage } from "../../incidents/alertService.js";
import type { AppRoot } from "../../root/appRoot.js";
import { getAppRoot } from "../../root/appRoot.js";
import { withKeys, type Logger } from "../../ports/logger.js";
import { DRILL_CLEANUP_CHECK_PREFIX, parseDrillCleanupCheckId } from "../../runs/drillCleanup.js";
import type { Invocation } from "../hostTypes.js";
import { invocationLogger } from "../invocationLogger.js";

/**
 * One message of the incident-check queue: the queue of delayed decisions. A failover signal's
 * debounce time is over (does it still hold, and may a run start?); a failed or cancelled drill's
 * cleanup is due ('drill-cleanup:...'); or a health check is brought forward ('health-check:...').
 */
export async function handleIncidentCheck(message: unknown, context: Invocation): Promise<void> {
  const check = parseIncidentCheckMessage(message);
  const root = await getAppRoot();
  await routeIncidentCheck(root, withKeys(invocationLogger(context), { checkId: check.checkId }), check, context.invocationId);
}

/** Hands a check to its owner; the local stack's queue drain calls it too. */
export async function routeIncidentCheck(root: AppRoot, log: Logger, check: IncidentCheckMessage, holder: string): Promise<void> {
  if (check.checkId.startsWith(DRILL_CLEANUP_CHECK_PREFIX)) {
    const parsed = parseDrillCleanupCheckId(check.checkId);
    if (!parsed) return log.warn("drill cleanup message not understood, dropped", {});
    const outcome = await root.runApi.drillCleanupFor(log).handle(parsed);
    return log.info("drill cleanup", { runId: parsed.runId, ...outcome });
  }
  if (check.checkId.startsWith(HEALTH_CHECK_CHECK_PREFIX)) {
    const outcome = await root.healthCheck.run(
      { trigger: `brought forward (${check.checkId.slice(HEALTH_CHECK_CHECK_PREFIX.length)})`, isPastDue: false, holder },
      log,
    );
    return log.info(
      "health check brought forward",
      outcome.status === "completed" ? { reportId: outcome.report.reportId, overall: outcome.report.overall } : { ...outcome },
    );
  }
  await root.alertsFor(log).handleCheck(check);
}
