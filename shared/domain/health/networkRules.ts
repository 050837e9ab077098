import { adRecordKey, type ForwarderState } from "../adDnsRecords.js";
import type { ActiveDirectoryDnsRecord, Estate, Route } from "../estate.js";
import { recordFqdn } from "../recordFqdn.js";
import { expectedSite, type Site } from "./expectedSite.js";
import { dnsRecordVerdict } from "./dnsRecordVerdict.js";
import { capitalise } from "./format.js";
import { estateCheck as check } from "./estateCheck.js";
import { worst, type Advice, type CheckStatus, type HealthCheck } from "./healthReport.js";
import { routeStateKey, type HealthSnapshot, type NatNicState, type Read } from "./healthSnapshot.js";
import { unnamedRecoveryVnetChecks } from "./unnamedRecoveryVnets.js";
import type { ItemLocation } from "./inventory.js";
import type { HealthThresholds } from "./thresholds.js";

interface Input {
  readonly estate: Estate;
  readonly snapshot: HealthSnapshot;
  readonly thresholds: HealthThresholds;
}

const AZURE_DNS_VIP = "168.63.129.16";
const AD_DNS_REFERENCE = "https://learn.microsoft.com/powershell/module/dnsserver/set-dnsserverresourcerecord";
const FORWARDER_REFERENCE = "https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration#on-premises-workloads-using-a-dns-forwarder";
const VNET_DNS_REFERENCE = "https://learn.microsoft.com/azure/site-recovery/site-recovery-active-directory";
const ROUTE_REFERENCE = "https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#user-defined";

/**
 * The nightly network checks beside Azure DNS: the AD-integrated records on the target DC and their TTL,
 * each Private DNS zone's conditional forwarder on that DC, the recovery VNets' DNS servers, and the
 * routes through the NAT/firewall VM. A source not wired yields no check; a read that failed, an unknown one.
 */
export function networkChecks(input: Input, locations: ReadonlyMap<string, ItemLocation>): HealthCheck[] {
  return [
    ...adDnsChecks(input, locations),
    ...forwarderChecks(input),
    ...vnetDnsChecks(input),
    ...unnamedRecoveryVnetChecks(input.estate, input.snapshot, locations),
    ...routeChecks(input, locations),
  ];
}

// ---- AD-integrated DNS on the target DC ----

function adDnsChecks({ estate, snapshot, thresholds }: Input, locations: ReadonlyMap<string, ItemLocation>): HealthCheck[] {
  const read = snapshot.domainControllerDns;
  if (!read) return [];
  const context = { estate, thresholds, locations };
  return estate.activeDirectoryDns.map((record) => {
    const key = `activeDirectory/${record.zone}/${record.name}`.toLowerCase();
    const fqdn = recordFqdn(record.name, record.zone);
    const found = (status: CheckStatus, reason: string, advice: readonly Advice[] = []): HealthCheck =>
      check("dns", key, fqdn, `DNS ${fqdn} (AD-integrated, on the target DC)`, status, reason, advice);
    if (!read.ok) return found("unknown", `Could not read the target DC's DNS server through Run Command: ${read.reason}.`);
    const held = read.value.records[adRecordKey(record.zone, record.name)];
    if (held === undefined) return found("unknown", "The target DC's script printed nothing for this name.");
    if (held === null) {
      return found("red", "The name has no A record on the target DC: clients resolve nothing, and the failover's flip would find nothing to move.", [
        adAdvice(record, "create"),
      ]);
    }
    const verdict = dnsRecordVerdict(context, record, held, "name", (problem, expected) => adAdvice(record, problem, expected));
    return found(verdict.status, verdict.reason, verdict.advice);
  });
}

function adAdvice(record: ActiveDirectoryDnsRecord, problem: "create" | "repoint" | "ttl", expected?: Site): Advice {
  const target = `-ZoneName '${record.zone}' -Name '${record.name}'`;
  const steps =
    problem === "ttl"
      ? [
          `On a DC, at least one old TTL before any failover: \`Get-DnsServerResourceRecord ${target} -RRType A | ForEach-Object { $n = [ciminstance]::new($_); $n.TimeToLive = [TimeSpan]::FromSeconds(${record.ttl}); Set-DnsServerResourceRecord -ZoneName '${record.zone}' -OldInputObject $_ -NewInputObject $n }\`.`,
          "Resolvers cache a record for the TTL it had when they looked it up; AD replication then carries the change to the other DCs.",
        ]
      : problem === "create"
        ? [
            `On a DC, add the name with the current site's addresses: \`Add-DnsServerResourceRecordA ${target} -IPv4Address <address> -TimeToLive 00:00:${String(record.ttl).padStart(2, "0")}\`.`,
          ]
        : [
            expected === "recovery"
              ? `The tier runs in Azure: point the name at ${record.failoverAddresses.join(", ")} (a failover run's AD DNS step does this; resume it, or change the records on the target DC).`
              : expected === "primary"
                ? "The tier runs on premises: point the name back at the on-premises addresses, unless a failover is in progress (a failback run sets it back from the failover's journal)."
                : "The tier is split between the sites: finish or roll back the failover, then point the name at the site that serves the tier.",
          ];
  return {
    id: `ad-dns-${problem}`,
    title:
      problem === "ttl"
        ? "Lower the name's TTL on the DCs for a fast flip"
        : problem === "create"
          ? "The name is missing from the AD-integrated zone"
          : "The name points at the wrong site",
    steps,
    reference: AD_DNS_REFERENCE,
  };
}

// ---- Private DNS through the target DC ----

function forwarderChecks({ snapshot }: Input): HealthCheck[] {
  const read = snapshot.domainControllerDns;
  if (!read) return [];
  if (!read.ok)
    return [
      check(
        "dnsForwarder",
        "target-dc",
        "target DC",
        "Private DNS zones resolve through the target DC",
        "unknown",
        `Could not read the target DC's DNS server: ${read.reason}.`,
      ),
    ];
  return read.value.forwarders.map((forwarder) => forwarderCheck(forwarder, snapshot));
}

function forwarderCheck(forwarder: ForwarderState, snapshot: HealthSnapshot): HealthCheck {
  const { zone } = forwarder;
  const found = (status: CheckStatus, reason: string, advice: readonly Advice[]): HealthCheck =>
    check("dnsForwarder", zone.toLowerCase(), zone, `Private DNS zone ${zone} resolves through the target DC`, status, reason, advice);
  const masters = forwarder.masterServers;
  const advice = forwarderAdvice(zone);
  if (masters === null) {
    return found(
      "red",
      `The target DC has no conditional forwarder for ${zone}: recovered VMs use the DC for DNS, and it sends ${zone} queries to the Internet, where the private zone does not exist${"error" in forwarder.resolved ? ` (${forwarder.resolved.error})` : ""}.`,
      [advice],
    );
  }
  if ("error" in forwarder.resolved) {
    return found(
      "red",
      `The forwarder sends ${zone} to ${masters.join(", ")}, but a name of the zone did not resolve through the DC (${forwarder.resolved.error}).`,
      masters.includes(AZURE_DNS_VIP) ? [linkAdvice(zone)] : [advice],
    );
  }
  const resolved = forwarder.resolved.addresses;
  const azure = privateRecordOf(snapshot, zone);
  const parts = [`forwards to ${masters.join(", ")} and resolves to ${resolved.join(", ")}`];
  const statuses: CheckStatus[] = ["green"];
  if (!masters.includes(AZURE_DNS_VIP)) {
    statuses.push("amber");
    parts.push(`not through Azure DNS (${AZURE_DNS_VIP}): a resolver on premises does not answer once the site is lost`);
  }
  if (azure && [...azure].sort().join() !== [...resolved].sort().join()) {
    statuses.push("amber");
    parts.push(`but Azure Private DNS holds ${azure.join(", ")} (a stale cache on the DC, or another zone of the same name answers)`);
  }
  return found(worst(statuses), `${capitalise(parts.join("; "))}.`, statuses.length > 1 ? [advice] : []);
}

function privateRecordOf(snapshot: HealthSnapshot, zone: string): readonly string[] | undefined {
  const entry = Object.entries(snapshot.dns).find(([key]) => key.startsWith(`private/${zone.toLowerCase()}/`));
  const read = entry?.[1];
  return read?.ok && read.value ? read.value.addresses : undefined;
}

function forwarderAdvice(zone: string): Advice {
  return {
    id: "dns-conditional-forwarder",
    title: "Forward the Private DNS zone from the DC in Azure to Azure DNS",
    steps: [
      `On the target-region DC: \`Add-DnsServerConditionalForwarderZone -Name '${zone}' -MasterServers ${AZURE_DNS_VIP}\` (without -ReplicationScope it stays on that DC: ${AZURE_DNS_VIP} answers only inside Azure, so DCs on premises must not get it).`,
      `Check from the DC: \`Resolve-DnsName <name>.${zone} -Server 127.0.0.1\`.`,
    ],
    reference: FORWARDER_REFERENCE,
  };
}

function linkAdvice(zone: string): Advice {
  return {
    id: "private-dns-vnet-link",
    title: "Link the Private DNS zone to the DC's VNet",
    steps: [
      `Azure DNS answers a private zone only to VNets linked to it: \`az network private-dns link vnet create -z ${zone} -v <the DC's VNet id> -n <link> -e false -g <zone's group>\`.`,
    ],
    reference: "https://learn.microsoft.com/azure/dns/private-dns-virtual-network-links",
  };
}

// ---- Recovery VNets' DNS servers ----

function vnetDnsChecks({ estate, snapshot }: Input): HealthCheck[] {
  if (!snapshot.vnets) return [];
  const targetDc = estate.targetDomainController.address;
  const recoveredDcs = new Map(estate.vms.filter((vm) => vm.role === "domainController").map((vm) => [vm.recoveryIp, vm.name]));
  return Object.entries(snapshot.vnets).map(([id, read]) => {
    const name = id.split("/").pop() ?? id;
    const title = `VNet ${name} hands out a DNS server that is up`;
    if (!read.ok) return check("vnetDns", name, name, title, "unknown", `Could not check: ${read.reason}.`, [vnetReadAdvice(id)]);
    if (read.value === null) return check("vnetDns", name, name, title, "red", `The VNet the items fail over into does not exist (${id}).`);
    const servers = read.value.dnsServers;
    const advice = vnetAdvice(name, targetDc);
    if (servers.length === 0) {
      return check(
        "vnetDns",
        name,
        name,
        title,
        "red",
        `It uses Azure-provided DNS: recovered domain members would not find a domain controller (the domain's DC locator records live in the DCs' DNS) and would lose their domain trust.`,
        [advice],
      );
    }
    const label = (ip: string): string =>
      ip === targetDc ? `${ip} (target DC)` : recoveredDcs.has(ip) ? `${ip} (${recoveredDcs.get(ip)} once recovered)` : ip;
    const listed = servers.map(label).join(", ");
    if (servers[0] === targetDc)
      return check("vnetDns", name, name, title, "green", `DNS servers ${listed}: the target DC, which runs before, during and after a failover, comes first.`);
    if (servers.includes(targetDc)) {
      return check(
        "vnetDns",
        name,
        name,
        title,
        "amber",
        `DNS servers ${listed}: the target DC is there but not first; while ${servers[0]} does not answer, every lookup waits for it to time out first.`,
        [advice],
      );
    }
    if (servers.some((ip) => recoveredDcs.has(ip))) {
      return check(
        "vnetDns",
        name,
        name,
        title,
        "amber",
        `DNS servers ${listed}: only recovered DCs, which answer once the identity tier has failed over, not the target DC that runs throughout.`,
        [advice],
      );
    }
    return check(
      "vnetDns",
      name,
      name,
      title,
      "red",
      `DNS servers ${listed}: none of them is one of the estate's domain controllers in Azure, so after a site loss nothing may answer.`,
      [advice],
    );
  });
}

/** A refused read is the usual cause: infra grants Reader on the VNets its recoveryVirtualNetworks parameter lists. */
function vnetReadAdvice(id: string): Advice {
  return {
    id: "recovery-vnet-read",
    title: "Let the app read the recovery VNet",
    steps: [
      `If Azure refused the read (AuthorizationFailed), list '${id}' in infra's recoveryVirtualNetworks parameter and run \`azd provision\`: it grants the app's identity Reader on the VNet.`,
    ],
    reference: "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/general#reader",
  };
}

function vnetAdvice(name: string, targetDc: string): Advice {
  return {
    id: "vnet-dns-servers",
    title: "Point the recovery VNet's DNS at the DC in Azure",
    steps: [
      `\`az network vnet update -g <group> -n ${name} --dns-servers ${targetDc} <second DC>\`; VMs take the new servers when they renew their DHCP lease or restart.`,
      "Microsoft's guidance for AD with Site Recovery: the recovery network's DNS points at a DC already running in Azure.",
    ],
    reference: VNET_DNS_REFERENCE,
  };
}

// ---- Routes through the NAT/firewall VM ----

function routeChecks({ estate, snapshot }: Input, locations: ReadonlyMap<string, ItemLocation>): HealthCheck[] {
  const routes = snapshot.routes;
  if (!routes) return [];
  return estate.routes.map((route) => {
    const key = `${route.routeTable}/${route.route}`.toLowerCase();
    const subject = `${route.routeTable}/${route.route}`;
    const title = `Route ${subject} goes through ${route.nextHopVm} where it runs`;
    const read = routes[routeStateKey(route)];
    if (!read || !read.ok) return check("routes", key, subject, title, "unknown", `Could not check: ${read ? read.reason : "not read"}.`);
    if (read.value === null)
      return check("routes", key, subject, title, "red", `The route does not exist in ${route.routeTable}.`, [routeAdvice(route, undefined)]);
    const { nextHopType, nextHopIpAddress } = read.value;
    const hop = estate.vms.find((vm) => vm.name === route.nextHopVm);
    const site = expectedSite(estate, route.tier, locations);
    const now = `next hop ${nextHopType}${nextHopIpAddress ? ` ${nextHopIpAddress}` : ""}`;
    if (site === "unknown")
      return check("routes", key, subject, title, "unknown", `${capitalise(now)}; the ${route.tier} tier's replication state could not be read.`);
    if (site === "mixed")
      return check("routes", key, subject, title, "red", `${capitalise(now)}; the ${route.tier} tier runs partly in Azure, partly on premises.`);
    if (site === "primary") {
      if (hop && nextHopIpAddress === hop.recoveryIp) {
        return check(
          "routes",
          key,
          subject,
          title,
          "red",
          `${capitalise(now)}: ${route.nextHopVm}'s address in Azure, but ${route.nextHopVm} runs on premises, so nothing there forwards the traffic.`,
          [routeAdvice(route, undefined)],
        );
      }
      return check(
        "routes",
        key,
        subject,
        title,
        "green",
        `${capitalise(now)}, not ${route.nextHopVm}'s address in Azure, as expected while it runs on premises (the estate names no on-premises address to compare with).`,
      );
    }
    const nic: Read<NatNicState> | undefined = snapshot.natNics?.[route.nextHopVm];
    if (!nic || !nic.ok)
      return check(
        "routes",
        key,
        subject,
        title,
        "unknown",
        `${capitalise(now)}; ${route.nextHopVm}'s NIC in Azure could not be read${nic && !nic.ok ? ` (${nic.reason})` : ""}.`,
      );
    const statuses: CheckStatus[] = [];
    const parts = [now];
    if (nextHopType === "VirtualAppliance" && nextHopIpAddress === nic.value.privateIpAddress) {
      statuses.push("green");
      parts.push(`${route.nextHopVm}'s NIC address in Azure, as expected while it runs there`);
    } else {
      statuses.push("red");
      parts.push(`but ${route.nextHopVm} runs in Azure at ${nic.value.privateIpAddress}`);
    }
    if (!nic.value.enableIpForwarding) {
      statuses.push("red");
      parts.push(`IP forwarding is off on ${route.nextHopVm}'s NIC, so Azure drops what it forwards`);
    }
    const status = worst(statuses);
    return check(
      "routes",
      key,
      subject,
      title,
      status,
      `${capitalise(parts.join("; "))}.`,
      status === "green" ? [] : [routeAdvice(route, nic.value.privateIpAddress)],
    );
  });
}

function routeAdvice(route: Route, recoveredAt: string | undefined): Advice {
  return {
    id: "route-next-hop",
    title: "Point the route where the NAT/firewall VM runs",
    steps: [
      recoveredAt
        ? `\`az network nic update --ids <${route.nextHopVm}'s NIC> --ip-forwarding true\`, then \`az network route-table route update -g ${route.resourceGroup} --route-table-name ${route.routeTable} -n ${route.route} --next-hop-type VirtualAppliance --next-hop-ip-address ${recoveredAt}\` (a failover run's route step does both).`
        : `Point it at the on-premises firewall again: \`az network route-table route update -g ${route.resourceGroup} --route-table-name ${route.routeTable} -n ${route.route} --address-prefix ${route.addressPrefix} --next-hop-type VirtualAppliance --next-hop-ip-address <on-premises firewall>\` (a failback run sets it back from the failover's journal).`,
    ],
    reference: ROUTE_REFERENCE,
  };
}
