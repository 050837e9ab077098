import { keyOf } from "./ids.js";
import { sourceAddressOfRecoveryIp } from "./sourceAddresses.js";
import type { SimVm, World } from "./world.js";

/**
 * The DNS Server role of the domain controllers: the AD-integrated zones the estate's
 * `activeDirectoryDns` records live in, and the conditional forwarders of the Private DNS zones.
 *
 * Evidence:
 * - An AD-integrated zone is stored in Active Directory and replicated to every DC of its
 *   replication scope that runs DNS (learn.microsoft.com/windows-server/identity/ad-ds/plan/
 *   active-directory-integrated-dns-zones): one zone store serves every simulated DC. AD replication
 *   latency is not modelled (a change is seen by all DCs at once).
 * - A name holds one record object per address, each with its own TimeToLive; Get-, Add-,
 *   Remove- and Set-DnsServerResourceRecord work on those objects (their Microsoft docs; see
 *   shared/runs/adDnsScript.ts for the script the product sends). Only A records are simulated.
 * - A conditional forwarder is a zone of ZoneType 'Forwarder' with MasterServers
 *   (Add-DnsServerConditionalForwarderZone). Azure DNS (168.63.129.16) answers for the Private DNS
 *   zones linked to the VNet the querying VM is in (learn.microsoft.com/azure/dns/private-dns-overview;
 *   "forward to 168.63.129.16" in learn.microsoft.com/azure/private-link/private-endpoint-dns-integration):
 *   a DC resolves a Private DNS name only through such a forwarder. Which VNets a zone is linked to
 *   is not modelled: every Private DNS zone of the estate is taken as linked to the recovery VNets.
 * The simulator reads the script's `# dr-addns:` announcement lines, not its PowerShell, as the
 * simulated guest reads `# dr-check:` lines (guestScript.ts).
 */
export interface AdRecord {
  addresses: string[];
  ttl: number;
}

export interface WindowsDnsFaultPlan {
  /** Private DNS zone names the DCs have no conditional forwarder for. */
  readonly missingForwarders?: readonly string[];
  /** Zone name -> the MasterServers its forwarder has instead of 168.63.129.16 (e.g. an on-premises resolver). */
  readonly forwarderMasters?: Readonly<Record<string, readonly string[]>>;
  /** AD records (`zone/name`) whose TTL on the DCs differs from the estate's (the zone default of 3600 s is common). */
  readonly recordTtl?: Readonly<Record<string, number>>;
}

export interface WindowsDnsState {
  /** By keyOf(zone, name). */
  readonly records: Map<string, AdRecord>;
  /** Conditional forwarders by keyOf(zone): their MasterServers. */
  readonly forwarders: Map<string, string[]>;
  /** Writes made by scripts, in order (zone/name), for tests to see what changed. */
  readonly writes: string[];
}

const AZURE_DNS_VIP = "168.63.129.16";
const states = new WeakMap<World, WindowsDnsState>();

/** The DCs' DNS state, seeded from the estate on first use: records on their on-premises addresses, forwarders to Azure DNS. */
export function windowsDnsOf(world: World): WindowsDnsState {
  const known = states.get(world);
  if (known) return known;
  const faults: WindowsDnsFaultPlan = world.faults.windowsDns ?? {};
  const records = new Map<string, AdRecord>();
  let n = 0;
  for (const record of world.estate.activeDirectoryDns) {
    // A name of recovered VMs starts on those VMs' on-premises addresses (sourceAddresses.ts), as the private records do.
    const addresses = record.failoverAddresses.map((ip) => sourceAddressOfRecoveryIp(world.estate, ip) ?? `192.168.40.${10 + (n++ % 240)}`);
    const ttl = faults.recordTtl?.[`${record.zone}/${record.name}`] ?? record.ttl;
    records.set(keyOf(record.zone, record.name), { addresses, ttl });
  }
  const forwarders = new Map<string, string[]>();
  const missing = new Set((faults.missingForwarders ?? []).map((z) => z.toLowerCase()));
  for (const zone of new Set(world.estate.dns.filter((d) => d.zoneType === "private").map((d) => d.zone.toLowerCase()))) {
    if (!missing.has(zone)) forwarders.set(keyOf(zone), [...(faults.forwarderMasters?.[zone] ?? [AZURE_DNS_VIP])]);
  }
  const state: WindowsDnsState = { records, forwarders, writes: [] };
  states.set(world, state);
  return state;
}

/** The DCs' DNS state as JSON, for a sandbox restarted on its state directory (worldSnapshot.ts). */
export interface SavedWindowsDns {
  readonly records: readonly (readonly [string, AdRecord])[];
  readonly forwarders: readonly (readonly [string, readonly string[]])[];
  readonly writes: readonly string[];
}

export function snapshotWindowsDns(world: World): SavedWindowsDns {
  const state = windowsDnsOf(world);
  return {
    records: [...state.records].map(([key, r]) => [key, { addresses: [...r.addresses], ttl: r.ttl }] as const),
    forwarders: [...state.forwarders].map(([key, masters]) => [key, [...masters]] as const),
    writes: [...state.writes],
  };
}

export function restoreWindowsDns(world: World, saved: SavedWindowsDns): void {
  const state: WindowsDnsState = {
    records: new Map(saved.records.map(([key, r]) => [key, { addresses: [...r.addresses], ttl: r.ttl }])),
    forwarders: new Map(saved.forwarders.map(([key, masters]) => [key, [...masters]])),
    writes: [...saved.writes],
  };
  states.set(world, state);
}

export interface DnsScriptRun {
  readonly stdout: string;
  readonly problems: readonly string[];
}

const ANNOUNCE = /^\s*#\s*dr-addns:\s*(\S+)\s*(.*)$/;

export function isAdDnsScript(script: readonly string[]): boolean {
  return script.some((entry) => entry.split(/\r?\n/).some((line) => ANNOUNCE.test(line)));
}

/** Whether the VM runs the DNS Server role of a DC: the target-region DC, or a recovered (or test) DC. */
function servesDns(vm: SimVm): boolean {
  return vm.kind === "targetDc" || vm.source?.role === "domainController";
}

/**
 * Runs a DNS script on a DC. `apply` false: only checks it (Run Command's start); true: the instant the
 * command completes, when it reads and writes the zone as it is then (runCommand.ts finishRunCommand).
 */
export function runAdDnsScript(world: World, vm: SimVm, script: readonly string[], apply: boolean): DnsScriptRun {
  const problems: string[] = [];
  const lines: string[] = [];
  const state = windowsDnsOf(world);
  const ops = script
    .flatMap((entry) => entry.split(/\r?\n/))
    .flatMap((line) => {
      const match = ANNOUNCE.exec(line);
      return match ? [{ op: match[1] ?? "", args: parseArgs(match[2] ?? "") }] : [];
    });
  if (!servesDns(vm)) {
    problems.push(`a DNS Server script was run on ${vm.name}, which is not a domain controller running DNS`);
    // What PowerShell prints when the DnsServer module is absent.
    return { stdout: "", problems };
  }
  for (const { op, args } of ops) {
    const zone = args["zone"] ?? "";
    const name = args["name"] ?? "";
    switch (op) {
      case "get": {
        const held = state.records.get(keyOf(zone, name));
        lines.push(`DR-ADDNS RECORD zone=${zone} name=${name} holds=${wire(held)}`);
        break;
      }
      case "set": {
        const expect = parseWire(args["expect"]);
        const to = parseWire(args["to"]);
        if (expect === undefined || to === undefined) {
          problems.push(`set on ${vm.name} needs expect= and to= values, got '${args["expect"] ?? ""}' and '${args["to"] ?? ""}'`);
          break;
        }
        const key = keyOf(zone, name);
        const held = state.records.get(key);
        if (wire(held) === wire(to ?? undefined)) lines.push(`DR-ADDNS ALREADY holds=${wire(held)}`);
        else if (wire(held) !== wire(expect ?? undefined)) lines.push(`DR-ADDNS CHANGED holds=${wire(held)}`);
        else {
          if (apply) {
            if (to) state.records.set(key, { addresses: [...to.addresses], ttl: to.ttl });
            else state.records.delete(key);
            state.writes.push(`${zone}/${name}`);
          }
          lines.push(`DR-ADDNS SET from=${wire(held)} to=${wire(to ?? undefined)}`);
        }
        break;
      }
      case "forwarder": {
        const masters = state.forwarders.get(keyOf(zone));
        const fqdn = name === "@" ? zone : `${name}.${zone}`;
        lines.push(
          `DR-ADDNS FORWARDER zone=${zone} masters=${masters ? masters.join(",") : "none"} resolved=${resolveThrough(world, masters, zone, name, fqdn)}`,
        );
        break;
      }
      default:
        problems.push(`unknown dr-addns operation '${op}' on ${vm.name} (known: get, set, forwarder)`);
    }
  }
  return { stdout: lines.map((l) => `${l}\n`).join(""), problems };
}

/**
 * Resolve-DnsName through the DC: without a forwarder the DC's own forwarders and root hints send the
 * query to the Internet, where a private zone does not exist (DNS_ERROR_RCODE_NAME_ERROR, 9003).
 */
function resolveThrough(world: World, masters: readonly string[] | undefined, zone: string, name: string, fqdn: string): string {
  const notFound = `error:${fqdn}_:_DNS_name_does_not_exist`;
  if (!masters?.includes(AZURE_DNS_VIP)) return masters ? `error:${fqdn}_:_This_operation_returned_because_the_timeout_period_expired` : notFound;
  const record = [...world.dns.values()].find((r) => r.zoneType === "private" && keyOf(r.zone, r.name) === keyOf(zone, name));
  return record && record.addresses.length > 0 ? record.addresses.join(",") : notFound;
}

function parseArgs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(/\s+/)) {
    const at = part.indexOf("=");
    if (at > 0) out[part.slice(0, at)] = part.slice(at + 1);
  }
  return out;
}

function wire(value: AdRecord | undefined): string {
  return value ? `${[...value.addresses].sort().join(",") || "-"}@${value.ttl}` : "none";
}

function parseWire(text: string | undefined): AdRecord | null | undefined {
  if (text === undefined) return undefined;
  if (text === "none") return null;
  const match = /^([^@]*)@(\d+)$/.exec(text);
  if (!match) return undefined;
  return { addresses: (match[1] ?? "").split(",").filter((a) => a.length > 0 && a !== "-"), ttl: Number(match[2]) };
}
