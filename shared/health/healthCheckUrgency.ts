import type { Estate } from "../domain/estate.js";
import type { AlertOutcome, IncidentCheckMessage } from "../incidents/alertService.js";
import type { Logger } from "../ports/logger.js";
import type { QueuePort } from "../ports/queue.js";

/** Check ids of health checks brought forward: 'health-check:<why>', one per incident. */
export const HEALTH_CHECK_CHECK_PREFIX = "health-check:";

export function healthCheckCheckId(reason: string): string {
  return `${HEALTH_CHECK_CHECK_PREFIX}${reason}`;
}

/** What the alert path offers that this wraps (shared/incidents/alertService.ts). */
interface HandlesAlerts {
  handleAlert(body: unknown, caller: string): Promise<AlertOutcome>;
}

/**
 * The RPO-breach playbook diagnoses and notifies, and brings the next health check forward: when an
 * alert is decided 'diagnose', a health check is sent to the incident-check queue at once (its
 * handler runs the nightly check now, under the same lease). One per incident: the message id is
 * the incident's, so the queue drops the alerts that follow. A send that fails is logged: the
 * decision and its notification stand, and the nightly check still runs.
 */
export function withHealthCheckUrgency<T extends HandlesAlerts>(alerts: T, deps: { estate: Estate; checks: QueuePort<IncidentCheckMessage>; log: Logger }): T {
  return {
    ...alerts,
    async handleAlert(body: unknown, caller: string): Promise<AlertOutcome> {
      const outcome = await alerts.handleAlert(body, caller);
      if (outcome.status !== "handled" || outcome.decision.outcome !== "diagnose" || outcome.decision.redelivered) return outcome;
      const checkId = healthCheckCheckId(`rpo:${outcome.decision.incidentId ?? deps.estate.name}`);
      try {
        await deps.checks.send([{ messageId: checkId, body: { estate: deps.estate.name, checkId } }]);
        deps.log.info("health check brought forward", { checkId, incidentId: outcome.decision.incidentId });
      } catch (error) {
        deps.log.warn("health check not brought forward", { checkId, error: error instanceof Error ? error.message : String(error) });
      }
      return outcome;
    },
  };
}
