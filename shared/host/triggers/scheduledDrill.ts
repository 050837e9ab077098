import { getAppRoot } from "../../root/appRoot.js";
import { runScheduledDrill, type ScheduledDrillOutcome } from "../../runs/scheduledDrill.js";
import type { Invocation } from "../hostTypes.js";
import { invocationLogger } from "../invocationLogger.js";

export const SCHEDULED_DRILL_FUNCTION = "scheduledDrill";
/** App setting holding the drill's NCRONTAB schedule (default '0 0 3 * * 6', Saturdays 03:00 UTC); the host resolves %...%. */
export const DRILL_SCHEDULE_SETTING = "DRILL_SCHEDULE";

/**
 * The scheduled drill: a test failover of the configured scope that cleans itself up after the
 * configured time (its report stays in the run history); skipped, and said why (audited), while the
 * kill switch is on, an incident is open, ASR holds test VMs, or the latest health report is
 * missing, stale, red or amber (shared/runs/scheduledDrill.ts).
 */
export async function handleScheduledDrill(timer: { readonly isPastDue: boolean }, context: Invocation): Promise<ScheduledDrillOutcome> {
  const log = invocationLogger(context);
  const root = await getAppRoot();
  const { scope, cleanupAfterMinutes } = root.runApi.settings.drill;
  const outcome = await runScheduledDrill(
    {
      estate: root.estate,
      engine: root.engineFor(log),
      clock: root.clock,
      audit: root.audit,
      notifier: root.notifications.notifierFor(log),
      log,
      scope,
      cleanupAfterMinutes,
      currentIncident: () => root.alertsFor(log).current(),
      latestHealth: async () => {
        const latest = await root.runApi.latestHealth();
        return latest ? root.healthCheck.history.get(root.estate.name, latest.reportId) : undefined;
      },
      leftoverTestVms: () => root.healthCheck.leftoverTestVms(),
    },
    `scheduled drill${timer.isPastDue ? " (late: the timer was past due)" : ""}`,
  );
  log.info("scheduled drill", { ...outcome });
  return outcome;
}
