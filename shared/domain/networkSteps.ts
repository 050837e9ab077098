import type { DnsRecord, Estate, Route } from "./estate.js";
import type { Step, UpdateDnsStep, UpdateRouteStep } from "./plan.js";
import { recordFqdn } from "./recordFqdn.js";

/**
 * The per-record part of the steps that move a tier's routes and Azure DNS names: the failover points
 * them at Azure, the failback sets them back, and both build their steps from the same fields. Pure.
 */

/** What every step on an Azure DNS record set carries, whichever way it moves the record. */
export type DnsRecordFields = Pick<UpdateDnsStep, "dependsOn" | "tier" | "target" | "zoneType" | "zone" | "name">;

/** What every step on a route carries; each kind says what it waits for. */
export type RouteFields = Pick<UpdateRouteStep, "tier" | "target" | "routeTable" | "route">;

/** Whether a failover moves any route or name of the tier (Azure DNS or AD-integrated). */
export function hasNetworkChanges(estate: Estate, tier: string): boolean {
  return estate.routes.some((r) => r.tier === tier) || estate.dns.some((d) => d.tier === tier) || estate.activeDirectoryDns.some((d) => d.tier === tier);
}

/** One step per Azure DNS record set of the tier, after `after`: `step` gives it its kind, id and the fields of that kind. */
export function dnsRecordSteps<S extends Step>(
  estate: Estate,
  tier: string,
  after: readonly string[],
  step: (record: DnsRecord, fields: DnsRecordFields) => S,
): S[] {
  return estate.dns
    .filter((d) => d.tier === tier)
    .map((d) => step(d, { dependsOn: after, tier, target: recordFqdn(d.name, d.zone), zoneType: d.zoneType, zone: d.zone, name: d.name }));
}

/** One step per route of the tier: `step` gives it its kind, id, what it waits for and the fields of that kind. */
export function routeSteps<S extends Step>(estate: Estate, tier: string, step: (route: Route, fields: RouteFields) => S): S[] {
  return estate.routes
    .filter((r) => r.tier === tier)
    .map((r) => step(r, { tier, target: `${r.routeTable}/${r.route}`, routeTable: r.routeTable, route: r.route }));
}
