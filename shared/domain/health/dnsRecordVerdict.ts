import type { ActiveDirectoryDnsRecord, DnsRecord, Estate } from "../estate.js";
import { expectedSite, type Site } from "./expectedSite.js";
import { capitalise, formatAge } from "./format.js";
import { worst, type Advice, type CheckStatus } from "./healthReport.js";
import type { ItemLocation } from "./inventory.js";
import type { HealthThresholds } from "./thresholds.js";

/** What a DNS check needs of an estate name, wherever it lives (Azure DNS, Private DNS, the DCs' AD-integrated zones); `ttl` is the one it plans for. */
type RecordUnderCheck = Pick<DnsRecord | ActiveDirectoryDnsRecord, "tier" | "ttl" | "failoverAddresses">;

export interface DnsRecordVerdict {
  readonly status: CheckStatus;
  readonly reason: string;
  readonly advice: readonly Advice[];
}

/**
 * Whether a name's A records point at the site its tier runs on, and whether the TTL they hold lets a
 * flip take effect well within the RTO. The advice is the zone's own (Azure CLI or DNS Server cmdlets);
 * `noun` names the thing in the reason ("record", "name").
 */
export function dnsRecordVerdict(
  context: { readonly estate: Estate; readonly thresholds: HealthThresholds; readonly locations: ReadonlyMap<string, ItemLocation> },
  record: RecordUnderCheck,
  held: { readonly addresses: readonly string[]; readonly ttl: number },
  noun: string,
  advise: (problem: "repoint" | "ttl", expected?: Site) => Advice,
): DnsRecordVerdict {
  const { estate, thresholds } = context;
  const { addresses, ttl } = held;
  const ttlLimit = Math.round(estate.objectives.rtoMinutes * 60 * thresholds.dnsTtlRtoShare);
  const failover = new Set(record.failoverAddresses);
  const atRecovery = addresses.filter((a) => failover.has(a)).length;
  const pointsAt: Site =
    addresses.length === 0 ? "unknown" : atRecovery === addresses.length && atRecovery === failover.size ? "recovery" : atRecovery === 0 ? "primary" : "mixed";
  const expected = expectedSite(estate, record.tier, context.locations);
  const statuses: CheckStatus[] = [];
  const advice: Advice[] = [];
  const parts = [`points at ${siteWords(pointsAt)} (${addresses.join(", ") || "no addresses"})`];
  if (expected === "unknown") {
    statuses.push("unknown");
    parts.push(`the ${record.tier} tier's replication state could not be read, so the expected site is unknown`);
  } else if (pointsAt !== expected || expected === "mixed") {
    statuses.push("red");
    parts.push(`but the ${record.tier} tier runs ${tierWhere(expected)}`);
    advice.push(advise("repoint", expected));
  } else {
    statuses.push("green");
    parts.push(`as expected while the ${record.tier} tier runs ${tierWhere(expected)}`);
  }
  if (ttl > ttlLimit) {
    statuses.push("red");
    parts.push(
      `TTL ${ttl} s: resolvers may keep the old address for ${formatAge(ttl * 1000)} after the flip, over ${Math.round(thresholds.dnsTtlRtoShare * 100)}% of the ${estate.objectives.rtoMinutes} min RTO`,
    );
    advice.push(advise("ttl"));
  } else if (ttl > record.ttl) {
    statuses.push("amber");
    parts.push(`TTL ${ttl} s is above the ${record.ttl} s the estate plans for this ${noun}`);
    advice.push(advise("ttl"));
  } else parts.push(`TTL ${ttl} s`);
  return { status: worst(statuses), reason: `${capitalise(parts.join("; "))}.`, advice };
}

function siteWords(site: Site): string {
  return site === "recovery" ? "the recovery site (Azure)" : site === "primary" ? "the primary site" : site === "mixed" ? "both sites" : "nothing";
}

function tierWhere(site: Site): string {
  return site === "recovery" ? "in Azure" : site === "primary" ? "on premises" : "partly in Azure, partly on premises";
}
