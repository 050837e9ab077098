export type ZoneType = "public" | "private";

export interface ARecordSetRef {
  readonly zoneType: ZoneType;
  readonly resourceGroup: string;
  readonly zone: string;
  readonly name: string;
}

export interface ARecordSet {
  readonly addresses: readonly string[];
  readonly ttl: number;
  readonly etag: string;
}

/** A record sets in Azure DNS and Private DNS, written with optimistic concurrency. */
export interface DnsPort {
  getARecordSet(ref: ARecordSetRef): Promise<ARecordSet | undefined>;
  /** `ifMatch` is the ETag read before; undefined means the set must not exist yet (If-None-Match: *). */
  putARecordSet(ref: ARecordSetRef, value: { addresses: readonly string[]; ttl: number }, ifMatch: string | undefined): Promise<ARecordSet>;
}
