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
  /** The record set's metadata (other tools' tags): a PUT replaces the whole set, so a write carries it back. */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface ARecordSetValue {
  readonly addresses: readonly string[];
  readonly ttl: number;
  /** Written as is; absent or empty writes none. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** A record sets in Azure DNS and Private DNS, written with optimistic concurrency. */
export interface DnsPort {
  getARecordSet(ref: ARecordSetRef): Promise<ARecordSet | undefined>;
  /** `ifMatch` is the ETag read before; undefined means the set must not exist yet (If-None-Match: *). */
  putARecordSet(ref: ARecordSetRef, value: ARecordSetValue, ifMatch: string | undefined): Promise<ARecordSet>;
  /** Deletes the set while its ETag is still `ifMatch` (PreconditionFailed otherwise); a set already gone is deleted. */
  deleteARecordSet(ref: ARecordSetRef, ifMatch: string): Promise<void>;
}
