import type { Alerting } from "../estate.js";
import type { ParsedAlert } from "./commonAlert.js";

/** What an alert means for this estate. */
export type Signal =
  | { readonly kind: "circuitDown" | "circuitUp"; readonly circuitId: string; readonly role: "active" | "passive" }
  | { readonly kind: "natLost" | "natRecovered"; readonly vm: string }
  | { readonly kind: "rpoBreach" | "rpoRecovered" }
  | { readonly kind: "unrelated"; readonly reason: string };

const CIRCUIT_METRICS = new Set(["bgpavailability", "arpavailability"]);
const NAT_METRICS = new Set(["vmavailabilitymetric", "heartbeat"]);
/** Tables and columns the ASR diagnostic logs write (see test/fixtures/azure/asr-logs.md). */
const ASR_LOG_MARKERS = [/AzureSiteRecovery/i, /rpoInSeconds/i, /ASRReplicatedItems/i];

/** Maps an alert to a signal using the estate's alerting config. Pure. */
export function classifyAlert(alert: ParsedAlert, alerting: Alerting): Signal {
  const fired = alert.condition === "Fired";
  const down = fired && (alert.health === undefined || alert.health.current !== "Available");

  const circuit = alerting.expressRouteCircuits.find((c) => alert.targets.includes(c.id.toLowerCase()));
  if (circuit) {
    const aboutAvailability = alert.health !== undefined || alert.criteria.some((c) => CIRCUIT_METRICS.has((c.metricName ?? "").toLowerCase()));
    if (!aboutAvailability) return { kind: "unrelated", reason: `alert on circuit ${circuit.id} is not about BGP/ARP availability or health` };
    return { kind: down ? "circuitDown" : "circuitUp", circuitId: circuit.id.toLowerCase(), role: circuit.role };
  }

  const nat = alerting.natVm;
  const targetsNat = alert.targets.some((t) => nat.resourceIds.some((id) => id.toLowerCase() === t));
  const heartbeatOfNat = alert.criteria.some((c) => Object.entries(c.dimensions).some(([k, v]) => k.toLowerCase() === "computer" && v.toLowerCase() === nat.heartbeatComputer.toLowerCase()));
  if (targetsNat || heartbeatOfNat) {
    const aboutAvailability =
      alert.health !== undefined || heartbeatOfNat || alert.criteria.some((c) => NAT_METRICS.has((c.metricName ?? "").toLowerCase()));
    if (!aboutAvailability) return { kind: "unrelated", reason: `alert on ${nat.vm} is not about its availability` };
    return { kind: down ? "natLost" : "natRecovered", vm: nat.vm };
  }

  const rpoRule = alerting.rpoAlertRules.includes(alert.rule);
  const asrQuery = alert.criteria.some((c) => ASR_LOG_MARKERS.some((m) => m.test(c.searchQuery ?? "")));
  if (rpoRule || asrQuery) return { kind: fired ? "rpoBreach" : "rpoRecovered" };

  return { kind: "unrelated", reason: `rule '${alert.rule}' (${alert.monitoringService}) targets nothing this estate watches` };
}
