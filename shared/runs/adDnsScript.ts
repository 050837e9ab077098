/**
 * PowerShell run with Run Command (RunPowerShellScript) on a domain controller, against the
 * AD-integrated zones its DNS Server role serves. Each script announces what it does on a
 * `# dr-addns: <op> <key=value...>` line and prints one `DR-ADDNS <VERDICT> <key=value...>` line,
 * so its result parses back without depending on PowerShell's formatting.
 *
 * Cmdlets (DnsServer module, learn.microsoft.com/powershell/module/dnsserver):
 * - Get-DnsServerResourceRecord -ZoneName -Name -RRType A: the name's A records, each with its
 *   RecordData.IPv4Address and TimeToLive (a TimeSpan); a name without records is an error
 *   (silenced here) and reads as none.
 * - Add-DnsServerResourceRecordA -ZoneName -Name -IPv4Address -TimeToLive: adds one A record.
 * - Remove-DnsServerResourceRecord -ZoneName -InputObject -Force: removes that record object only.
 * - Set-DnsServerResourceRecord -ZoneName -OldInputObject -NewInputObject: changes one record in
 *   place (its documented example changes the TimeToLive of a copy made with [ciminstance]::new);
 *   it "cannot change the Name or Type".
 * - Get-DnsServerZone: ZoneType 'Forwarder' zones carry MasterServers (the conditional forwarders).
 * Only A records of the named host are touched; other record types at the same name stay as they are.
 */

import { adRecordKey, type AdRecordValue, type DcDnsReadResult, type ForwarderState } from "../domain/adDnsRecords.js";
import { recordFqdn } from "../domain/recordFqdn.js";

export { adRecordKey, type AdRecordValue, type DcDnsReadResult, type ForwarderState };

export type AdDnsWriteResult =
  | { readonly verdict: "set"; readonly from: AdRecordValue | null; readonly to: AdRecordValue | null }
  | { readonly verdict: "already"; readonly holds: AdRecordValue | null }
  /** Compare-and-set refused: the record no longer holds what was expected; nothing was written. */
  | { readonly verdict: "changed"; readonly holds: AdRecordValue | null };

export interface AdDnsWrite {
  readonly zone: string;
  readonly name: string;
  /** What the record must hold for the write to go ahead (null: no A record at all). */
  readonly expect: AdRecordValue | null;
  /** What it holds afterwards (null: its A records removed). */
  readonly to: AdRecordValue | null;
}

/** The Private DNS names a DC must resolve through its conditional forwarder to Azure DNS. */
export interface ForwarderProbe {
  readonly zone: string;
  /** A host of the zone (relative name) resolved through the DC's own DNS server. */
  readonly name: string;
}

export interface DcDnsReadRequest {
  readonly records: readonly { readonly zone: string; readonly name: string }[];
  readonly forwarders: readonly ForwarderProbe[];
}

/** Azure's DNS virtual IP, reachable from Azure VMs only (learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16). */
export const AZURE_DNS_VIP = "168.63.129.16";

/**
 * A PowerShell single-quoted literal. PowerShell also ends such a string on the typographic single
 * quotes U+2018-U+201B (about_Quoting_Rules), so each of them is doubled like the ASCII quote.
 */
const quote = (value: string): string => `'${value.replace(/['\u2018-\u201B]/g, (q) => q + q)}'`;
const list = (values: readonly string[]): string => (values.length === 0 ? "@()" : `@(${values.map(quote).join(",")})`);
/** One line's form of a value, addresses in ordinal order as the script sorts `$held`. */
const wire = (value: AdRecordValue | null): string => (value ? `${[...value.addresses].sort().join(",") || "-"}@${value.ttl}` : "none");
const nameArg = (name: string): string => (name === "@" ? "'@'" : quote(name));

/** The shared reader: `$held` (sorted addresses) and `$heldTtl` of a name's A records. */
function readLines(zone: string, name: string): string[] {
  return [
    `$records = @(Get-DnsServerResourceRecord -ZoneName ${quote(zone)} -Name ${nameArg(name)} -RRType A -ErrorAction SilentlyContinue)`,
    // Ordinal sort, as JavaScript's default sort: both sides spell a set of addresses the same way.
    "[string[]]$held = @($records | ForEach-Object { $_.RecordData.IPv4Address.IPAddressToString })",
    "[Array]::Sort($held, [StringComparer]::Ordinal)",
    "$heldTtl = if ($records.Count -gt 0) { [int]$records[0].TimeToLive.TotalSeconds } else { 0 }",
    "$heldWire = if ($records.Count -gt 0) { \"$($held -join ',')@$heldTtl\" } else { 'none' }",
  ];
}

/** Compare-and-set of one name's A records, in one script: refuses, writing nothing, when the name holds anything but `expect`. */
export function buildAdDnsWriteScript(write: AdDnsWrite): string[] {
  const { zone, name, expect, to } = write;
  const target = to ? [...to.addresses].sort() : [];
  return [
    `# dr-addns: set zone=${zone} name=${name} expect=${wire(expect)} to=${wire(to)}`,
    "$ErrorActionPreference = 'Stop'",
    ...readLines(zone, name),
    `if ($heldWire -eq ${quote(wire(to))}) { "DR-ADDNS ALREADY holds=$heldWire"; return }`,
    `if ($heldWire -ne ${quote(wire(expect))}) { "DR-ADDNS CHANGED holds=$heldWire"; return }`,
    `$to = ${list(target)}`,
    `$ttl = [TimeSpan]::FromSeconds(${to?.ttl ?? 0})`,
    // Records leaving the set go; records staying get the new TTL in place; new addresses are added.
    "foreach ($r in $records) {",
    "  $ip = $r.RecordData.IPv4Address.IPAddressToString",
    `  if ($to -notcontains $ip) { Remove-DnsServerResourceRecord -ZoneName ${quote(zone)} -InputObject $r -Force }`,
    "  elseif ($r.TimeToLive -ne $ttl) { $new = [ciminstance]::new($r); $new.TimeToLive = $ttl; " +
      `Set-DnsServerResourceRecord -ZoneName ${quote(zone)} -OldInputObject $r -NewInputObject $new }`,
    "}",
    `foreach ($ip in $to) { if ($held -notcontains $ip) { Add-DnsServerResourceRecordA -ZoneName ${quote(zone)} -Name ${nameArg(name)} -IPv4Address $ip -TimeToLive $ttl } }`,
    `"DR-ADDNS SET from=$heldWire to=${wire(to)}"`,
  ];
}

/** Reads records and TTLs, the conditional forwarders and a resolution through each, in one read-only script. */
export function buildDcDnsReadScript(request: DcDnsReadRequest): string[] {
  const lines: string[] = ["$ErrorActionPreference = 'Continue'"];
  for (const { zone, name } of request.records) {
    lines.push(`# dr-addns: get zone=${zone} name=${name}`, ...readLines(zone, name), `"DR-ADDNS RECORD zone=${zone} name=${name} holds=$heldWire"`);
  }
  for (const { zone, name } of request.forwarders) {
    const fqdn = recordFqdn(name, zone);
    lines.push(
      `# dr-addns: forwarder zone=${zone} name=${name}`,
      `$fz = Get-DnsServerZone -Name ${quote(zone)} -ErrorAction SilentlyContinue`,
      "$masters = if ($fz -and $fz.ZoneType -eq 'Forwarder') { @($fz.MasterServers | ForEach-Object { $_.IPAddressToString }) -join ',' } else { 'none' }",
      `$answer = @(Resolve-DnsName -Name ${quote(fqdn)} -Type A -Server 127.0.0.1 -DnsOnly -ErrorAction SilentlyContinue -ErrorVariable resolveError | Where-Object { $_.Type -eq 'A' } | ForEach-Object { $_.IPAddress })`,
      "$resolved = if ($answer.Count -gt 0) { $answer -join ',' } else { \"error:$(($resolveError | Select-Object -First 1).Exception.Message -replace '\\s+', '_')\" }",
      `"DR-ADDNS FORWARDER zone=${zone} masters=$masters resolved=$resolved"`,
    );
  }
  return lines;
}

/** `a,b@60` | `none` -> value. */
function parseWire(text: string | undefined): AdRecordValue | null | undefined {
  if (text === undefined) return undefined;
  if (text === "none") return null;
  const match = /^([^@]*)@(\d+)$/.exec(text);
  if (!match) return undefined;
  const addresses = (match[1] ?? "").split(",").filter((a) => a.length > 0 && a !== "-");
  return { addresses: addresses.sort(), ttl: Number(match[2]) };
}

function fields(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of line.split(" ").slice(2)) {
    const at = part.indexOf("=");
    if (at > 0) out[part.slice(0, at)] = part.slice(at + 1);
  }
  return out;
}

/** The write script's verdict; undefined when the output holds none (the script failed before its end). */
export function parseAdDnsWriteOutput(stdout: string): AdDnsWriteResult | undefined {
  const line = stdout.split(/\r?\n/).find((l) => l.startsWith("DR-ADDNS "));
  if (!line) return undefined;
  const verdict = line.split(" ")[1];
  const f = fields(line);
  if (verdict === "SET") {
    const from = parseWire(f["from"]);
    const to = parseWire(f["to"]);
    return from === undefined || to === undefined ? undefined : { verdict: "set", from, to };
  }
  const holds = parseWire(f["holds"]);
  if (holds === undefined) return undefined;
  return verdict === "ALREADY" ? { verdict: "already", holds } : verdict === "CHANGED" ? { verdict: "changed", holds } : undefined;
}

export function parseDcDnsReadOutput(stdout: string, request: DcDnsReadRequest): DcDnsReadResult {
  const lines = stdout.split(/\r?\n/);
  const records: Record<string, AdRecordValue | null> = {};
  for (const line of lines.filter((l) => l.startsWith("DR-ADDNS RECORD "))) {
    const f = fields(line);
    const value = parseWire(f["holds"]);
    if (f["zone"] && f["name"] && value !== undefined) records[adRecordKey(f["zone"], f["name"])] = value;
  }
  const forwarders: ForwarderState[] = request.forwarders.map(({ zone }) => {
    const line = lines.find((l) => l.startsWith("DR-ADDNS FORWARDER ") && fields(l)["zone"]?.toLowerCase() === zone.toLowerCase());
    if (!line) return { zone, masterServers: null, resolved: { error: "the script printed nothing for this zone" } };
    const f = fields(line);
    const masters = f["masters"];
    const resolved = f["resolved"] ?? "";
    return {
      zone,
      masterServers: !masters || masters === "none" ? null : masters.split(",").filter((m) => m.length > 0),
      resolved: resolved.startsWith("error:")
        ? { error: resolved.slice("error:".length).replace(/_/g, " ") || "no answer" }
        : { addresses: resolved.split(",") },
    };
  });
  return { records, forwarders };
}

export const sameRecord = (a: AdRecordValue | null, b: AdRecordValue | null): boolean => wire(a) === wire(b);
export const describeAdRecord = (v: AdRecordValue | null): string => (v ? `${v.addresses.join(", ") || "(no address)"} (TTL ${v.ttl} s)` : "(no A record)");
