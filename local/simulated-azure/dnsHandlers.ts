import { z } from "zod";
import { API_VERSIONS } from "./apiVersions.js";
import { armError, reply, unquote, type Exchange, type SimReply } from "./http.js";
import { keyOf } from "./ids.js";
import type { RouteSpec } from "./router.js";
import { parseBody } from "./validate.js";
import { dnsKey, type DnsRecordSet, type World } from "./world.js";

type ZoneType = DnsRecordSet["zoneType"];

const RG = "subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network";
const PUBLIC = `${RG}/dnsZones/{zoneName}/{recordType}/{relativeRecordSetName}`;
const PRIVATE = `${RG}/privateDnsZones/{zoneName}/{recordType}/{relativeRecordSetName}`;

const Ttl = z.number().int().min(0).max(2_147_483_647);
const ARecord = z.strictObject({ ipv4Address: z.ipv4() });
const Metadata = z.record(z.string(), z.string()).optional();
const Envelope = { id: z.string().optional(), name: z.string().optional(), type: z.string().optional(), etag: z.string().optional() };

/** Azure DNS spells the A record fields 'TTL' and 'ARecords' (dns-recordset-a-*.json). */
const PublicBody = z.strictObject({
  ...Envelope,
  properties: z.strictObject({ metadata: Metadata, TTL: Ttl, ARecords: z.array(ARecord), targetResource: z.object({}).loose().optional() }),
});

/** Private DNS spells them 'ttl' and 'aRecords' (privatedns-recordset-a-*.json). */
const PrivateBody = z.strictObject({
  ...Envelope,
  properties: z.strictObject({ metadata: Metadata, ttl: Ttl, aRecords: z.array(ARecord) }),
});

export function dnsRoutes(world: World): RouteSpec[] {
  return [
    { method: "GET", pattern: PUBLIC, operation: "RecordSets_Get", apiVersions: API_VERSIONS.dns, handle: (ex) => getRecordSet(world, ex, "public") },
    {
      method: "PUT",
      pattern: PUBLIC,
      operation: "RecordSets_CreateOrUpdate",
      apiVersions: API_VERSIONS.dns,
      handle: (ex) => putRecordSet(world, ex, "public"),
    },
    {
      method: "DELETE",
      pattern: PUBLIC,
      operation: "RecordSets_Delete",
      apiVersions: API_VERSIONS.dns,
      handle: (ex) => deleteRecordSet(world, ex, "public"),
    },
    {
      method: "GET",
      pattern: PRIVATE,
      operation: "PrivateRecordSets_Get",
      apiVersions: API_VERSIONS.privateDns,
      handle: (ex) => getRecordSet(world, ex, "private"),
    },
    {
      method: "PUT",
      pattern: PRIVATE,
      operation: "PrivateRecordSets_CreateOrUpdate",
      apiVersions: API_VERSIONS.privateDns,
      handle: (ex) => putRecordSet(world, ex, "private"),
    },
    {
      method: "DELETE",
      pattern: PRIVATE,
      operation: "PrivateRecordSets_Delete",
      apiVersions: API_VERSIONS.privateDns,
      handle: (ex) => deleteRecordSet(world, ex, "private"),
    },
  ];
}

interface Target {
  readonly resourceGroup: string;
  readonly zone: string;
  readonly name: string;
}

function target(world: World, ex: Exchange, zoneType: ZoneType): { readonly found: Target } | { readonly reply: SimReply } {
  const { resourceGroupName = "", zoneName = "", recordType = "", relativeRecordSetName = "" } = ex.req.params;
  if (recordType !== "A") {
    return { reply: ex.reject(404, "NotFound", `Record type '${recordType}' is not simulated: only A record sets are (the failover moves A records).`) };
  }
  if (!world.dnsZones.has(keyOf(zoneType, resourceGroupName, zoneName))) {
    const kind = zoneType === "public" ? "dnsZones" : "privateDnsZones";
    return {
      reply: ex.reject(
        404,
        "ParentResourceNotFound",
        `Can not perform requested operation on nested resource. Parent resource '${zoneName}' (Microsoft.Network/${kind}) not found in resource group '${resourceGroupName}'.`,
      ),
    };
  }
  return { found: { resourceGroup: resourceGroupName, zone: zoneName, name: relativeRecordSetName } };
}

function getRecordSet(world: World, ex: Exchange, zoneType: ZoneType): SimReply {
  const t = target(world, ex, zoneType);
  if ("reply" in t) return t.reply;
  const record = world.dns.get(dnsKey(zoneType, t.found.resourceGroup, t.found.zone, t.found.name));
  if (!record) return notFound(world, t.found);
  return reply(200, recordSetJson(world, record), { ETag: record.etag });
}

function putRecordSet(world: World, ex: Exchange, zoneType: ZoneType): SimReply {
  const t = target(world, ex, zoneType);
  if ("reply" in t) return t.reply;
  const value = parseRecordSetBody(ex, zoneType);
  if ("reply" in value) return value.reply;
  const ifMatch = ex.req.headers.get("If-Match");
  const ifNoneMatch = ex.req.headers.get("If-None-Match");
  if (ifNoneMatch !== undefined && ifNoneMatch !== "*") {
    return ex.reject(400, "InvalidRequest", `If-None-Match supports only '*' (create only if absent), got '${ifNoneMatch}'.`);
  }
  const key = dnsKey(zoneType, t.found.resourceGroup, t.found.zone, t.found.name);
  const existing = world.dns.get(key);
  if (ifNoneMatch === "*" && existing) {
    return armError(412, "PreconditionFailed", `The record set '${t.found.name}' already exists in zone '${t.found.zone}' (If-None-Match: *).`);
  }
  if (ifMatch !== undefined && (!existing || unquote(ifMatch) !== existing.etag)) {
    return armError(
      412,
      "PreconditionFailed",
      `The If-Match etag '${ifMatch}' does not match the record set '${t.found.name}' in zone '${t.found.zone}' (current etag '${existing?.etag ?? "none: it does not exist"}').`,
    );
  }
  const etag = world.ids.uuid("dns-etag");
  const record: DnsRecordSet = existing ?? { zoneType, ...t.found, addresses: [], ttl: 0, etag, metadata: undefined };
  record.addresses = value.found.addresses;
  record.ttl = value.found.ttl;
  record.metadata = value.found.metadata;
  record.etag = etag;
  world.dns.set(key, record);
  return reply(existing ? 200 : 201, recordSetJson(world, record), { ETag: etag });
}

/**
 * RecordSets_Delete in both zones (dns.json, privatedns.json; DeleteARecordset.json, RecordSetMXDelete.json):
 * synchronous, 200 when the set was deleted, 204 when it was not found. If-Match is the last-seen etag
 * "to prevent accidentally deleting any concurrent changes": a set whose etag differs is kept and the
 * answer is 412 PreconditionFailed, as for a PUT. A missing set answers 204 even with If-Match: nothing
 * known says otherwise, and nothing is left to protect.
 */
function deleteRecordSet(world: World, ex: Exchange, zoneType: ZoneType): SimReply {
  const t = target(world, ex, zoneType);
  if ("reply" in t) return t.reply;
  const key = dnsKey(zoneType, t.found.resourceGroup, t.found.zone, t.found.name);
  const existing = world.dns.get(key);
  if (!existing) return reply(204);
  const ifMatch = ex.req.headers.get("If-Match");
  if (ifMatch !== undefined && ifMatch !== "*" && unquote(ifMatch) !== existing.etag) {
    return armError(
      412,
      "PreconditionFailed",
      `The If-Match etag '${ifMatch}' does not match the record set '${t.found.name}' in zone '${t.found.zone}' (current etag '${existing.etag}').`,
    );
  }
  world.dns.delete(key);
  return reply(200);
}

function parseRecordSetBody(
  ex: Exchange,
  zoneType: ZoneType,
): { readonly found: { addresses: string[]; ttl: number; metadata: Record<string, string> | undefined } } | { readonly reply: SimReply } {
  if (zoneType === "public") {
    const parsed = parseBody(PublicBody, ex.req.body);
    if (!parsed.ok)
      return {
        reply: ex.reject(
          400,
          "BadRequest",
          `Invalid Azure DNS A record set: ${parsed.problems} (Azure DNS spells them properties.TTL and properties.ARecords).`,
        ),
      };
    const p = parsed.value.properties;
    return { found: { addresses: p.ARecords.map((a) => a.ipv4Address), ttl: p.TTL, metadata: p.metadata } };
  }
  const parsed = parseBody(PrivateBody, ex.req.body);
  if (!parsed.ok)
    return {
      reply: ex.reject(
        400,
        "BadRequest",
        `Invalid Private DNS A record set: ${parsed.problems} (Private DNS spells them properties.ttl and properties.aRecords).`,
      ),
    };
  const p = parsed.value.properties;
  return { found: { addresses: p.aRecords.map((a) => a.ipv4Address), ttl: p.ttl, metadata: p.metadata } };
}

function notFound(world: World, t: Target): SimReply {
  return armError(
    404,
    "NotFound",
    `The resource record '${t.name}' does not exist in resource group '${t.resourceGroup}' of subscription '${world.estate.subscriptionId}'.`,
  );
}

export function recordSetJson(world: World, r: DnsRecordSet): unknown {
  const base = `/subscriptions/${world.estate.subscriptionId}/resourceGroups/${r.resourceGroup}/providers/Microsoft.Network`;
  const records = r.addresses.map((ipv4Address) => ({ ipv4Address }));
  const metadata = r.metadata ? { metadata: r.metadata } : {};
  if (r.zoneType === "public") {
    return {
      id: `${base}/dnsZones/${r.zone}/A/${r.name}`,
      etag: r.etag,
      name: r.name,
      type: "Microsoft.Network/dnsZones/A",
      properties: {
        ...metadata,
        TTL: r.ttl,
        fqdn: r.name === "@" ? r.zone : `${r.name}.${r.zone}`,
        provisioningState: "Succeeded",
        targetResource: {},
        ARecords: records,
      },
    };
  }
  // Private DNS answers record names in lower case (privatedns-recordset-a-get.json).
  const name = r.name.toLowerCase();
  return {
    id: `${base}/privateDnsZones/${r.zone}/A/${name}`,
    etag: r.etag,
    name,
    type: "Microsoft.Network/privateDnsZones/A",
    properties: { ...metadata, ttl: r.ttl, fqdn: `${name === "@" ? "" : `${name}.`}${r.zone}.`, isAutoRegistered: false, aRecords: records },
  };
}
