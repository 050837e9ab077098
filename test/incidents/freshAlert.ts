import { restampAlert } from "../../local/freshAlert.js";
import { fixtureAlertJson } from "../helpers.js";

type AlertJson = { data: { essentials: Record<string, unknown> } };

/**
 * A fixture alert as an Action Group would post it at `now`: its firedDateTime (and
 * resolvedDateTime, kept after it) moved to `now - ageSeconds`, every other field as written.
 * Alerts older than the estate's alerting.maxAlertAgeMinutes are refused, so tests post fresh ones.
 */
export function freshAlertJson(name: string, now: Date, options: { ageSeconds?: number; alertId?: string } = {}): Record<string, unknown> {
  const alert = restampAlert(fixtureAlertJson(name) as Record<string, unknown> & AlertJson, new Date(now.getTime() - (options.ageSeconds ?? 0) * 1000));
  if (options.alertId !== undefined) alert.data.essentials["alertId"] = options.alertId;
  return alert;
}
