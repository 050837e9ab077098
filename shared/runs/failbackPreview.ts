import type { Estate } from "../domain/estate.js";
import type { Plan } from "../domain/plan.js";
import { dnsStepId, routeStepId } from "../domain/planParts.js";
import type { DnsPort } from "../ports/dns.js";
import type { RoutePort } from "../ports/routes.js";
import type { RunStore } from "../ports/runStore.js";
import { keptAsCreated, sameAddresses } from "./executors/networkValues.js";

interface Reads {
  readonly estate: Estate;
  readonly dns: DnsPort;
  readonly routes: RoutePort;
  readonly runs?: RunStore;
}

export interface RestoredDns {
  readonly record: string;
  readonly zoneType: "public" | "private";
  readonly zone: string;
  readonly name: string;
  readonly from: readonly string[] | null;
  readonly to: readonly string[];
  readonly ttl: number;
  readonly detail: string;
  /** The failover created the set (none before it): the failback removes it. */
  readonly removed?: true;
}

export interface RestoredRoute {
  readonly route: string;
  readonly addressPrefix: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly nextHopVm: string;
  readonly detail: string;
  /** The failover created the route (none before it): the failback removes it. */
  readonly removed?: true;
}

/**
 * What a failback's restoreDns and restoreRoute steps would do now: the value each goes back to (the
 * failover run's journal), what it holds now, and, as a problem, every one someone changed since
 * the failover, which the run would refuse to overwrite. Reads only.
 */
export async function previewFailbackNetwork(
  reads: Reads,
  plan: Plan,
  /** Told each record or route the run would refuse to overwrite. */
  refuse: (message: string) => void,
): Promise<{ dnsChanges: RestoredDns[]; routeChanges: RestoredRoute[] }> {
  const { estate } = reads;
  const dnsChanges = await Promise.all(
    plan.steps
      .flatMap((s) => (s.kind === "restoreDns" ? [s] : []))
      .map(async (step): Promise<RestoredDns> => {
        const record = estate.dns.find((d) => d.zoneType === step.zoneType && d.zone === step.zone && d.name === step.name);
        const current = record
          ? await reads.dns.getARecordSet({ zoneType: step.zoneType, resourceGroup: record.resourceGroup, zone: step.zone, name: step.name })
          : undefined;
        const saved = await reads.runs?.getStep(step.failoverRunId, dnsStepId(step.zoneType, step.zone, step.name));
        const previous = saved?.value.journal.previous as { addresses: readonly string[]; ttl: number } | null | undefined;
        const wrote = saved?.value.step.kind === "updateDns" ? saved.value.step.addresses : undefined;
        const from = current ? current.addresses : null;
        const base = { record: step.target, zoneType: step.zoneType, zone: step.zone, name: step.name, from };
        if (previous === null && wrote) {
          // The run removes only a set as the failover created it: its addresses, the estate's TTL, no metadata.
          const asCreated = !current || keptAsCreated(current, record?.ttl);
          const removal = describeRemoval(from, wrote, asCreated);
          if (removal.refused) refuse(`${step.target}: ${removal.text}`);
          return { ...base, to: [], ttl: current?.ttl ?? record?.ttl ?? 0, detail: removal.text, ...(removal.removes ? { removed: true as const } : {}) };
        }
        if (!previous || !wrote)
          return {
            ...base,
            to: from ?? [],
            ttl: current?.ttl ?? record?.ttl ?? 0,
            detail: `left as it is: the failover run ${step.failoverRunId} did not change it`,
          };
        const detail = describe(from, previous.addresses, wrote);
        if (detail.refused) refuse(`${step.target}: ${detail.text}`);
        return { ...base, to: previous.addresses, ttl: previous.ttl, detail: detail.text };
      }),
  );
  const routeChanges = await Promise.all(
    plan.steps
      .flatMap((s) => (s.kind === "restoreRoute" ? [s] : []))
      .map(async (step): Promise<RestoredRoute> => {
        const route = estate.routes.find((r) => r.routeTable === step.routeTable && r.route === step.route);
        const current = route ? await reads.routes.getRoute({ resourceGroup: route.resourceGroup, routeTable: step.routeTable, route: step.route }) : undefined;
        const saved = await reads.runs?.getStep(step.failoverRunId, routeStepId(step.routeTable, step.route));
        const previous = saved?.value.journal.previous as { nextHopIpAddress: string } | null | undefined;
        const wrote = (saved?.value.journal.output as { nextHopIpAddress?: string } | undefined)?.nextHopIpAddress;
        const from = current?.nextHopIpAddress ?? null;
        const base = { route: step.target, addressPrefix: route?.addressPrefix ?? current?.addressPrefix ?? "", from, nextHopVm: route?.nextHopVm ?? "" };
        if (previous === null && wrote) {
          const removal = describeRemoval(from === null ? null : [from], [wrote]);
          if (removal.refused) refuse(`${step.target}: ${removal.text}`);
          return { ...base, to: null, detail: removal.text, ...(removal.removes ? { removed: true as const } : {}) };
        }
        if (!previous || !wrote) return { ...base, to: from, detail: `left as it is: the failover run ${step.failoverRunId} did not change it` };
        const detail = describe(from === null ? null : [from], [previous.nextHopIpAddress], [wrote]);
        if (detail.refused) refuse(`${step.target}: ${detail.text}`);
        return { ...base, to: previous.nextHopIpAddress, detail: detail.text };
      }),
  );
  return { dnsChanges, routeChanges };
}

function describe(current: readonly string[] | null, previous: readonly string[], wrote: readonly string[]): { text: string; refused: boolean } {
  if (current && sameAddresses(current, previous)) return { text: `already back at ${previous.join(", ")}`, refused: false };
  if (current && sameAddresses(current, wrote)) return { text: `set back to ${previous.join(", ")} (the value before the failover)`, refused: false };
  return {
    text: `holds ${current ? current.join(", ") : "nothing (deleted)"}, not ${wrote.join(", ")} as the failover left it: someone changed it since, so the failback would stop here without overwriting it`,
    refused: true,
  };
}

/** A value the failover created (nothing before it): removed while it holds what the failover wrote. */
function describeRemoval(current: readonly string[] | null, wrote: readonly string[], asCreated = true): { text: string; refused: boolean; removes: boolean } {
  if (current === null) return { text: "already gone, as before the failover: nothing to remove", refused: false, removes: false };
  if (sameAddresses(current, wrote) && asCreated)
    return { text: `removed by the failback: it did not exist before the failover, which created it with ${wrote.join(", ")}`, refused: false, removes: true };
  return {
    text: `holds ${current.join(", ")}${asCreated ? "" : " with a changed TTL or metadata"}, not ${wrote.join(", ")} as the failover created it: someone changed it since, so the failback would stop here without removing it`,
    refused: true,
    removes: false,
  };
}
