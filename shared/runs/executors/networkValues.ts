/** A route's value as the failover journals it for the failback (`previous`): null when it did not exist. */
export interface RouteBefore {
  readonly addressPrefix: string;
  readonly nextHopType: string;
  readonly nextHopIpAddress: string;
}

/** "goes to VirtualAppliance 10.0.0.4 for 0.0.0.0/0", as step details say where a route leads. */
export function describeRoute(r: RouteBefore | null): string {
  return r === null ? "does not exist" : `goes to ${r.nextHopType} ${r.nextHopIpAddress || "(no address)"} for ${r.addressPrefix}`;
}

/**
 * A record set the failover created still has the rest of what it was created with: the estate's TTL
 * and no metadata (its addresses are compared apart). Only such a set is removed by the failback.
 */
export function keptAsCreated(current: { readonly ttl: number; readonly metadata: Readonly<Record<string, string>> }, ttl: number | undefined): boolean {
  return current.ttl === ttl && Object.keys(current.metadata).length === 0;
}

/** The same A record addresses, in any order. */
export function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}
