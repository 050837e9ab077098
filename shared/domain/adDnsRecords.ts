/** A host's A records as a DC's DNS server holds them (addresses sorted); null where used: the name has no A record. */
export interface AdRecordValue {
  readonly addresses: readonly string[];
  readonly ttl: number;
}

/** A Private DNS zone as a DC's DNS server forwards it. */
export interface ForwarderState {
  readonly zone: string;
  /** MasterServers of the zone's conditional forwarder on the DC; null: no forwarder zone. */
  readonly masterServers: readonly string[] | null;
  /** What Resolve-DnsName answered through the DC; an error in words when it failed. */
  readonly resolved: { readonly addresses: readonly string[] } | { readonly error: string };
}

/** One read of a DC's DNS server: AD records by adRecordKey(), and the forwarders asked about. */
export interface DcDnsReadResult {
  readonly records: Readonly<Record<string, AdRecordValue | null>>;
  readonly forwarders: readonly ForwarderState[];
}

export const adRecordKey = (zone: string, name: string): string => `${zone}/${name}`.toLowerCase();
