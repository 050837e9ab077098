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

/** The same A record addresses, in any order. */
export function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}
