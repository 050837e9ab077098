import { recoveryNetworkIdsOf, type Estate } from "../domain/estate.js";
import type { DcDnsReadResult } from "../domain/adDnsRecords.js";
import { locateItem } from "../domain/health/inventory.js";
import { routeStateKey, type HealthSnapshot, type NatNicState, type Read, type RouteState, type VnetDnsState } from "../domain/health/healthSnapshot.js";
import type { NicPort } from "../ports/nics.js";
import type { RoutePort } from "../ports/routes.js";
import type { VnetPort } from "../ports/vnets.js";
import type { DcDnsReadRequest } from "../runs/adDnsScript.js";

type Reader = <T>(what: (signal: AbortSignal) => Promise<T>) => Promise<Read<T>>;

/** The network part of the snapshot. */
export type NetworkSnapshot = Pick<HealthSnapshot, "domainControllerDns" | "routes" | "vnets" | "natNics">;

/** What the DC's DNS read asks: every AD record of the estate, and one name of each Private DNS zone through the DC. */
export function dcDnsRequestOf(estate: Estate): DcDnsReadRequest {
  const forwarders = new Map<string, { zone: string; name: string }>();
  for (const record of estate.dns)
    if (record.zoneType === "private" && !forwarders.has(record.zone.toLowerCase())) forwarders.set(record.zone.toLowerCase(), record);
  return {
    records: estate.activeDirectoryDns.map((r) => ({ zone: r.zone, name: r.name })),
    forwarders: [...forwarders.values()].map((r) => ({ zone: r.zone, name: r.name })),
  };
}

/**
 * The network reads of the nightly check, each isolated like every other read: the target DC's DNS server
 * (one Run Command), the estate's routes, then the recovery VNets' DNS servers and the recovered NAT NICs.
 */
export async function readNetworkSnapshot(
  estate: Estate,
  readers: { readonly guest?: unknown; readonly vnets?: VnetPort; readonly routes?: RoutePort; readonly nics?: NicPort },
  read: Reader,
  partial: HealthSnapshot,
  readDc: (request: DcDnsReadRequest, signal: AbortSignal) => Promise<DcDnsReadResult>,
): Promise<NetworkSnapshot> {
  const request = dcDnsRequestOf(estate);
  const wantsDc = readers.guest !== undefined && (request.records.length > 0 || request.forwarders.length > 0);
  const routeReader = readers.routes;
  const vnetReader = readers.vnets;
  const nicReader = readers.nics;
  const located = estate.vms.map((vm) => ({ vm, at: locateItem(estate, vm, partial) }));
  // Only the VNets the estate names: infra grants Reader on exactly those. A VNet the items target
  // beyond them is reported by the rules (unnamedRecoveryVnets.ts), not read: the read would be refused.
  const networks = recoveryNetworkIdsOf(estate);
  const hops = new Set(estate.routes.map((r) => r.nextHopVm));
  const recoveredHops = located.filter(
    ({ vm, at }) => hops.has(vm.name) && (at.kind === "found" || at.kind === "moved") && at.item.activeLocation === "Recovery",
  );
  const [domainControllerDns, routes, vnets, natNics] = await Promise.all([
    wantsDc ? read((signal) => readDc(request, signal)) : Promise.resolve(undefined),
    routeReader
      ? Promise.all(
          estate.routes.map(async (route): Promise<[string, Read<RouteState | null>]> => [
            routeStateKey(route),
            await read(async () => (await routeReader.getRoute(route)) ?? null),
          ]),
        )
      : Promise.resolve(undefined),
    vnetReader
      ? Promise.all(
          networks.map(async (id): Promise<[string, Read<VnetDnsState | null>]> => [
            id,
            await read(async (signal) => {
              const settings = await vnetReader.getDnsSettings(id, { signal });
              return settings ? { dnsServers: settings.dnsServers } : null;
            }),
          ]),
        )
      : Promise.resolve(undefined),
    nicReader
      ? Promise.all(
          recoveredHops.map(async ({ vm }): Promise<[string, Read<NatNicState>]> => [
            vm.name,
            await read(async () => {
              const nic = await nicReader.getPrimaryNic(vm.recoveryVmId);
              return { privateIpAddress: nic.privateIpAddress, enableIpForwarding: nic.enableIpForwarding };
            }),
          ]),
        )
      : Promise.resolve(undefined),
  ]);
  return {
    ...(domainControllerDns ? { domainControllerDns } : {}),
    ...(routes ? { routes: Object.fromEntries(routes) } : {}),
    ...(vnets ? { vnets: Object.fromEntries(vnets) } : {}),
    ...(natNics ? { natNics: Object.fromEntries(natNics) } : {}),
  };
}
