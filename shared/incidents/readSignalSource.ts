import { resourceHealthMeaning } from "../domain/incidents/classifyAlert.js";
import type { SourceReading } from "../domain/incidents/incidentPolicy.js";
import type { Playbook } from "../domain/incidents/incidentState.js";
import type { Estate } from "../domain/estate.js";
import type { Clock } from "../ports/clock.js";
import type { MonitorPort, ResourceHealthPort } from "../ports/healthReads.js";

/** A circuit whose BGP or ARP availability averaged at least this over the window is carrying traffic. */
export const CIRCUIT_UP_PERCENT = 50;
/** Recent enough to say "now", long enough for two 5-minute metric points. */
export const SOURCE_WINDOW_MINUTES = 10;
/** A NAT/firewall Heartbeat newer than this means its agent still reports: the VM is not lost. */
export const NAT_HEARTBEAT_FRESH_MINUTES = 5;

/**
 * Asks the source, right before an automatic failover, whether the outage the alerts describe is
 * real now: the circuits' own BgpAvailability/ArpAvailability (Monitor metrics), or the NAT/firewall
 * VM's Heartbeat in Log Analytics, or, for a NAT/firewall that is an Azure VM, its Resource Health now.
 * A read that fails or finds no data is 'unknown': the alerts stand.
 */
export async function readSignalSource(playbook: Playbook, deps: SourceDeps): Promise<SourceReading> {
  try {
    if (playbook === "siteFailover") return await readCircuits(deps);
    const azureVmId = deps.estate.alerting.natVm.resourceIds.find(isAzureVmId);
    return azureVmId && deps.resourceHealth ? await readNatResourceHealth(deps.estate, deps.resourceHealth, azureVmId) : await readNatHeartbeat(deps);
  } catch (error) {
    return { says: "unknown", detail: `the source could not be read (${error instanceof Error ? error.message.slice(0, 200) : "error"})` };
  }
}

export interface SourceDeps {
  readonly estate: Estate;
  readonly monitor: MonitorPort;
  readonly clock: Clock;
  /** Read for an Azure-hosted NAT/firewall VM instead of its Heartbeat. */
  readonly resourceHealth?: ResourceHealthPort;
}

/** An Azure VM's ARM id; an Arc machine (Microsoft.HybridCompute/machines) or on-premises VM is not one. */
export function isAzureVmId(resourceId: string): boolean {
  return /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines\/[^/]+$/i.test(resourceId);
}

/**
 * The platform's own view of an Azure-hosted NAT/firewall VM, by the rule Resource Health alerts
 * follow (resourceHealthMeaning): Unavailable with a platform cause is down, Available is up, and
 * Degraded, Unknown or a user's stop cannot tell.
 */
async function readNatResourceHealth(estate: Estate, resourceHealth: ResourceHealthPort, vmId: string): Promise<SourceReading> {
  const status = await resourceHealth.currentStatus(vmId);
  const vm = estate.alerting.natVm.vm;
  const cause = status.cause ? `, ${status.cause}` : "";
  const summary = status.summary ? `: ${status.summary}` : "";
  const detail = `Resource Health of ${vm} now: ${status.availabilityState}${cause}${summary}`;
  const meaning = resourceHealthMeaning(status.availabilityState, status.cause);
  return {
    says: meaning === "neither" ? "unknown" : meaning,
    detail: meaning === "neither" ? `${detail} (only Unavailable with a platform cause counts as down)` : detail,
  };
}

async function readCircuits({ estate, monitor }: { estate: Estate; monitor: MonitorPort }): Promise<SourceReading> {
  const regions = new Map(Object.entries(estate.healthCheck?.circuitRegions ?? {}).map(([id, region]) => [id.toLowerCase(), region]));
  const byRegion = new Map<string, string[]>();
  for (const circuit of estate.alerting.expressRouteCircuits) {
    const region = regions.get(circuit.id.toLowerCase());
    if (region) byRegion.set(region, [...(byRegion.get(region) ?? []), circuit.id]);
  }
  if (byRegion.size === 0)
    return { says: "unknown", detail: "no circuit region is configured (estate healthCheck.circuitRegions), so the circuits' metrics were not read" };
  const readings = await Promise.all([...byRegion].map(([region, ids]) => monitor.circuitAvailability(region, ids, SOURCE_WINDOW_MINUTES)));
  const parts: string[] = [];
  let up = false;
  let known = false;
  for (const circuit of estate.alerting.expressRouteCircuits) {
    const reading = readings.map((r) => r.get(circuit.id.toLowerCase())).find((r) => r !== undefined);
    const name = circuit.id.split("/").pop() ?? circuit.id;
    if (!reading || (reading.bgpPercent === null && reading.arpPercent === null)) {
      parts.push(`${name}: no data`);
      continue;
    }
    known = true;
    const best = Math.max(reading.bgpPercent ?? 0, reading.arpPercent ?? 0);
    if (best >= CIRCUIT_UP_PERCENT) up = true;
    parts.push(`${name}: BGP ${format(reading.bgpPercent)}, ARP ${format(reading.arpPercent)} over ${SOURCE_WINDOW_MINUTES} min`);
  }
  const detail = `ExpressRoute metrics now: ${parts.join("; ")}`;
  return { says: up ? "up" : known ? "down" : "unknown", detail };
}

async function readNatHeartbeat({ estate, monitor, clock }: { estate: Estate; monitor: MonitorPort; clock: Clock }): Promise<SourceReading> {
  const workspace = estate.healthCheck?.logAnalyticsWorkspaceId;
  const vmId = estate.alerting.natVm.resourceIds[0];
  if (!workspace || !vmId) return { says: "unknown", detail: "no workspace or resource id for the NAT/firewall VM, so its Heartbeat was not read" };
  const last = await monitor.lastHeartbeat(workspace, vmId, 1);
  if (!last) return { says: "down", detail: `${estate.alerting.natVm.vm} sent no Heartbeat in the last hour` };
  const minutes = (clock.now().getTime() - last.getTime()) / 60_000;
  return minutes <= NAT_HEARTBEAT_FRESH_MINUTES
    ? { says: "up", detail: `${estate.alerting.natVm.vm} sent a Heartbeat ${Math.max(0, Math.round(minutes))} min ago` }
    : { says: "down", detail: `${estate.alerting.natVm.vm}'s last Heartbeat is ${Math.round(minutes)} min old` };
}

function format(percent: number | null): string {
  return percent === null ? "no data" : `${Math.round(percent)}%`;
}
