import type { Alerting } from "../estate.js";
import type { ParsedAlert } from "./commonAlert.js";
import type { SignalSource } from "./incidentState.js";

/** What an alert means for this estate. */
export type Signal =
  | { readonly kind: "circuitDown" | "circuitUp"; readonly circuitId: string; readonly role: "active" | "passive" }
  | { readonly kind: "natLost" | "natRecovered"; readonly vm: string }
  | { readonly kind: "siteHeartbeatLost" | "siteHeartbeatBack" }
  | { readonly kind: "rpoBreach" | "rpoRecovered" }
  /** Worth telling people, never a reason to fail over (Resource Health Degraded, Unknown, user-initiated). */
  | { readonly kind: "news"; readonly reason: string }
  | { readonly kind: "unrelated"; readonly reason: string };

const CIRCUIT_METRICS = new Set(["bgpavailability", "arpavailability"]);
const NAT_METRICS = new Set(["vmavailabilitymetric", "heartbeat"]);
/** Tables and columns the ASR diagnostic logs write (see test/fixtures/azure/asr-logs.md). */
const ASR_LOG_MARKERS = [/AzureSiteRecovery/i, /rpoInSeconds/i, /ASRReplicatedItems/i];

/** Maps an alert to a signal using the estate's alerting config. Pure. */
export function classifyAlert(alert: ParsedAlert, alerting: Alerting): Signal {
  const fired = alert.condition === "Fired";
  const healthNews = alert.health && fired ? resourceHealthNews(alert.health) : undefined;
  const down = fired && (alert.health === undefined || alert.health.current.toLowerCase() !== "available");

  const circuit = alerting.expressRouteCircuits.find((c) => alert.targets.includes(c.id.toLowerCase()));
  if (circuit) {
    const aboutAvailability = alert.health !== undefined || alert.criteria.some((c) => CIRCUIT_METRICS.has((c.metricName ?? "").toLowerCase()));
    if (!aboutAvailability) return { kind: "unrelated", reason: `alert on circuit ${circuit.id} is not about BGP/ARP availability or health` };
    if (healthNews) return { kind: "news", reason: `Resource Health of circuit ${shortName(circuit.id)}: ${healthNews}` };
    return { kind: down ? "circuitDown" : "circuitUp", circuitId: circuit.id.toLowerCase(), role: circuit.role };
  }

  const nat = alerting.natVm;
  const targetsNat = alert.targets.some((t) => nat.resourceIds.some((id) => id.toLowerCase() === t));
  const heartbeatOfNat = alert.criteria.some((c) =>
    Object.entries(c.dimensions).some(([k, v]) => k.toLowerCase() === "computer" && v.toLowerCase() === nat.heartbeatComputer.toLowerCase()),
  );
  if (targetsNat || heartbeatOfNat) {
    const aboutAvailability = alert.health !== undefined || heartbeatOfNat || alert.criteria.some((c) => NAT_METRICS.has((c.metricName ?? "").toLowerCase()));
    if (!aboutAvailability) return { kind: "unrelated", reason: `alert on ${nat.vm} is not about its availability` };
    if (healthNews) return { kind: "news", reason: `Resource Health of ${nat.vm}: ${healthNews}` };
    return { kind: down ? "natLost" : "natRecovered", vm: nat.vm };
  }

  if (alerting.siteHeartbeatAlertRules.includes(alert.rule)) return { kind: fired ? "siteHeartbeatLost" : "siteHeartbeatBack" };

  const rpoRule = alerting.rpoAlertRules.includes(alert.rule);
  const asrQuery = alert.criteria.some((c) => ASR_LOG_MARKERS.some((m) => m.test(c.searchQuery ?? "")));
  if (rpoRule || asrQuery) return { kind: fired ? "rpoBreach" : "rpoRecovered" };

  return { kind: "unrelated", reason: `rule '${alert.rule}' (${alert.monitoringService}) targets nothing this estate watches` };
}

/**
 * Which witness an alert about the NAT/firewall VM is: its agent's Heartbeat (Log Analytics) and the
 * platform's view (Resource Health, VM availability metric) are independent of each other.
 */
export function natSignalSource(alert: ParsedAlert, alerting: Alerting): SignalSource {
  const computer = alerting.natVm.heartbeatComputer.toLowerCase();
  const heartbeat = alert.criteria.some(
    (c) =>
      (c.metricName ?? "").toLowerCase() === "heartbeat" ||
      Object.entries(c.dimensions).some(([k, v]) => k.toLowerCase() === "computer" && v.toLowerCase() === computer),
  );
  return alert.health === undefined && heartbeat ? "natHeartbeat" : "natPlatform";
}

/**
 * Only `Unavailable` caused by the platform is an outage. Degraded and Unknown (Resource Health
 * cannot tell) and anything a user caused (a stop, a resize) are news, not a reason to fail over.
 * Returns why it is news, or undefined when it means down (or up: Available).
 */
function resourceHealthNews(health: NonNullable<ParsedAlert["health"]>): string | undefined {
  const meaning = resourceHealthMeaning(health.current, health.cause);
  if (meaning !== "neither") return undefined;
  if (health.current.toLowerCase() !== "unavailable")
    return `now ${health.current} (was ${health.previous}): only Unavailable with a platform cause counts as down`;
  return `Unavailable, caused by ${health.cause ?? "an unstated cause"}: only a platform-initiated outage counts as down`;
}

/**
 * The one Resource Health rule, for alerts and for reading the status now: `Unavailable` caused by
 * the platform is down, `Available` is up, anything else (Degraded, Unknown, a user's stop) is
 * neither. The cause is spelt 'PlatformInitiated' in activity-log events and healthEventCause,
 * 'Platform Initiated' in an availability status's context; both count.
 */
export function resourceHealthMeaning(availability: string, cause: string | undefined): "down" | "up" | "neither" {
  const status = availability.toLowerCase();
  if (status === "available") return "up";
  const platform = (cause ?? "").replace(/\s+/g, "").toLowerCase() === "platforminitiated";
  return status === "unavailable" && platform ? "down" : "neither";
}

function shortName(armId: string): string {
  return armId.split("/").pop() ?? armId;
}
