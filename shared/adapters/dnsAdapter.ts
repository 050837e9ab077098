import type { DnsManagementClient } from "@azure/arm-dns";
import type { PrivateDnsManagementClient } from "@azure/arm-privatedns";
import { DrError } from "../ports/errors.js";
import type { ARecordSet, DnsPort } from "../ports/dns.js";
import { callAzure } from "./azureErrors.js";

interface ARecordSetModel {
  readonly etag?: string;
  readonly ttl?: number;
  readonly metadata?: { readonly [key: string]: string };
  readonly aRecords?: readonly { readonly ipv4Address?: string }[];
}

/** A record sets in the public Azure DNS zone and the Private DNS zone, behind one port. */
export function createDns({ publicDns, privateDns }: { publicDns: DnsManagementClient; privateDns: PrivateDnsManagementClient }): DnsPort {
  return {
    async getARecordSet(ref) {
      try {
        const set = await callAzure(`read A ${ref.name}.${ref.zone}`, () =>
          ref.zoneType === "public"
            ? publicDns.recordSets.get(ref.resourceGroup, ref.zone, ref.name, "A")
            : privateDns.recordSets.get(ref.resourceGroup, ref.zone, "A", ref.name),
        );
        return toARecordSet(set);
      } catch (error) {
        if (error instanceof DrError && error.code === "NotFound") return undefined;
        throw error;
      }
    },

    async putARecordSet(ref, value, ifMatch) {
      // The PUT replaces the whole record set: metadata not written here is gone afterwards.
      const metadata = value.metadata && Object.keys(value.metadata).length > 0 ? { metadata: { ...value.metadata } } : {};
      const body = { ttl: value.ttl, ...metadata, aRecords: value.addresses.map((ipv4Address) => ({ ipv4Address })) };
      // If-Match keeps a concurrent change from being overwritten; If-None-Match: * keeps a new set from replacing one created meanwhile.
      const conditions = ifMatch ? { ifMatch } : { ifNoneMatch: "*" };
      const set = await callAzure(`write A ${ref.name}.${ref.zone}`, () =>
        ref.zoneType === "public"
          ? publicDns.recordSets.createOrUpdate(ref.resourceGroup, ref.zone, ref.name, "A", body, conditions)
          : privateDns.recordSets.createOrUpdate(ref.resourceGroup, ref.zone, "A", ref.name, body, conditions),
      );
      return toARecordSet(set);
    },

    async deleteARecordSet(ref, ifMatch) {
      // RecordSets_Delete takes If-Match in both zones (dns.json, privatedns.json) and answers 204 for a set already gone.
      await callAzure(`delete A ${ref.name}.${ref.zone}`, () =>
        ref.zoneType === "public"
          ? publicDns.recordSets.delete(ref.resourceGroup, ref.zone, ref.name, "A", { ifMatch })
          : privateDns.recordSets.delete(ref.resourceGroup, ref.zone, "A", ref.name, { ifMatch }),
      );
    },
  };
}

function toARecordSet(set: ARecordSetModel): ARecordSet {
  return {
    addresses: (set.aRecords ?? []).flatMap((r) => (r.ipv4Address ? [r.ipv4Address] : [])),
    ttl: set.ttl ?? 0,
    etag: set.etag ?? "",
    metadata: { ...set.metadata },
  };
}
