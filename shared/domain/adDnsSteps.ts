import type { ActiveDirectoryDnsRecord, Estate } from "./estate.js";
import { recordFqdn } from "./recordFqdn.js";

/**
 * Steps that change A records in the AD-integrated DNS on the domain controllers. They run with Run
 * Command on the target-region DC, the one DC that is up before, during and after a failover (it is
 * never failed over) and through a failback; AD replication carries the change to the other DCs of
 * the zone (learn.microsoft.com/windows-server/identity/ad-ds/plan/active-directory-integrated-dns-zones...).
 */
interface AdDnsStepBase {
  readonly id: string;
  readonly dependsOn: readonly string[];
  readonly tier?: string;
  /** The host's FQDN. */
  readonly target: string;
  readonly zone: string;
  readonly name: string;
}

/** Failover: read the name's A records (journaled with their TTL), then set them to `addresses` if they still hold what was read. */
export interface UpdateAdDnsStep extends AdDnsStepBase {
  readonly kind: "updateAdDns";
  readonly addresses: readonly string[];
  readonly ttl: number;
}

/**
 * Failback: set the name back to what the failover run's `updateAdDns` step journaled as `previous`,
 * only while it still holds what that step wrote; otherwise the step fails without writing.
 */
export interface RestoreAdDnsStep extends AdDnsStepBase {
  readonly kind: "restoreAdDns";
  /** The failover run whose journal holds the values (the step `updateAdDnsStepId(zone, name)` of it). */
  readonly failoverRunId: string;
}

export type AdDnsStep = UpdateAdDnsStep | RestoreAdDnsStep;

export const updateAdDnsStepId = (zone: string, name: string): string => `dns:activeDirectory:${zone}:${name}`;
export const restoreAdDnsStepId = (zone: string, name: string): string => `restore-dns:activeDirectory:${zone}:${name}`;

const recordsOf = (estate: Estate, tier: string): readonly ActiveDirectoryDnsRecord[] => estate.activeDirectoryDns.filter((r) => r.tier === tier);

/** The failover's AD DNS flips of a tier, after `after` (its VMs' checks). */
export function updateAdDnsStepsFor(estate: Estate, tier: string, after: readonly string[]): UpdateAdDnsStep[] {
  return recordsOf(estate, tier).map((r) => ({
    kind: "updateAdDns",
    id: updateAdDnsStepId(r.zone, r.name),
    dependsOn: after,
    tier,
    target: recordFqdn(r.name, r.zone),
    zone: r.zone,
    name: r.name,
    addresses: r.failoverAddresses,
    ttl: r.ttl,
  }));
}

/** A failback's AD DNS restores of a tier, after `after`, undoing what the run `failoverRunId` changed. */
export function restoreAdDnsStepsFor(estate: Estate, tier: string, after: readonly string[], failoverRunId: string): RestoreAdDnsStep[] {
  return recordsOf(estate, tier).map((r) => ({
    kind: "restoreAdDns",
    id: restoreAdDnsStepId(r.zone, r.name),
    dependsOn: after,
    tier,
    target: recordFqdn(r.name, r.zone),
    zone: r.zone,
    name: r.name,
    failoverRunId,
  }));
}
