import type { DiscoveredEstate, DiscoveredItem, DiscoveredVault } from "../../shared/domain/discoveredEstate.js";
import type { DraftSection } from "../../shared/domain/estateDraft.js";

type Json = Record<string, unknown>;
type DraftEntries = Pick<DraftSection, "incomplete" | "confirm" | "unmatchedRecords">;

/** A draft estate: the estate file's body and what a person must confirm in it. */
export interface Proposal {
  readonly estate: Json;
  readonly draft: DraftEntries;
}

/** What a person supplies on the command line that Azure does not say. */
export interface ProposalOptions {
  readonly name?: string;
}

const PLACEHOLDER = {
  vmId: "<ARM id of the domain controller VM already running in the target region>",
  address: "<its private IPv4 address>",
  domain: "<AD domain name, e.g. corp.contoso.com>",
  databaseHost: "<host name of the database the apps use>",
  circuit: "<ARM id of an ExpressRoute circuit carrying the site's link>",
  armId: "<ARM id>",
  ip: "<IPv4 address>",
} as const;

interface ProposedVm {
  readonly json: Json;
  readonly item: DiscoveredItem;
  readonly vaultKey: string;
  readonly isDc: boolean;
  tier: string;
}

/**
 * Turns what discover read into a draft estate. What Azure says is taken as is (vaults, items, target
 * VMs and addresses, policy settings, matching DNS records and routes); what it cannot say is proposed
 * from what it shows (tiers from VM names, their order from the recovery plans' boot groups, DC checks
 * for the DCs, the NAT from the routes pointing at it) and listed in `confirm` for a person. Pure.
 */
export function proposeEstate(found: DiscoveredEstate, options: ProposalOptions = {}): Proposal {
  const confirm: DraftSection["confirm"] = [];
  const incomplete: DraftSection["incomplete"] = found.problems.map((p) => ({ where: p.where, problem: p.problem }));
  const ask = (path: string, why: string): void => void confirm.push({ path, why });

  const vaultKeys = keysFor(found.vaults);
  const vaults: Json = {};
  found.vaults.forEach((vault, i) => {
    const key = vaultKeys[i] ?? vault.name;
    vaults[key] = vaultJson(vault, key, ask);
  });

  const routes = (found.routes ?? []).filter((r) => r.nextHopType === "VirtualAppliance" && r.nextHopIp);
  const vms: ProposedVm[] = found.vaults.flatMap((vault, i) => vault.items.map((item) => proposeVm(found, item, vaultKeys[i] ?? vault.name)));
  const natVms = vms.filter((vm) => routes.some((r) => addressesOf(vm.item).includes(r.nextHopIp ?? "")));
  for (const vm of vms) vm.tier = vm.isDc ? "identity" : natVms.includes(vm) ? "edge" : tierFromName(String(vm.json["name"]));

  const tiers = proposeTiers(found.vaults, vms, ask);
  vms.forEach((vm, i) => {
    if (vm.isDc) ask(`vms[${i}].role`, `'${String(vm.json["name"])}' is proposed as a domain controller from its name; set role 'member' if it is not one`);
    if (vm.json["recoveryIp"] === PLACEHOLDER.ip) {
      ask(
        `vms[${i}].recoveryIp`,
        `ASR names no static target IP for ${String(vm.json["name"])}: set one in the item's Compute and Network settings (so DNS and probes know the address), then run discover again`,
      );
    }
  });

  const nat = natVms[0];
  const estateRoutes = routes.flatMap((r) => {
    const hop = natVms.find((vm) => addressesOf(vm.item).includes(r.nextHopIp ?? ""));
    return hop
      ? [
          {
            tier: hop.tier,
            resourceGroup: r.resourceGroup,
            routeTable: r.routeTable,
            route: r.route,
            addressPrefix: r.addressPrefix,
            nextHopVm: String(hop.json["name"]),
          },
        ]
      : [];
  });
  const { dns, unmatched } = proposeDns(found, vms, ask);

  const policy = mainPolicy(found);
  const dcs = vms.filter((vm) => vm.isDc);
  const estate: Json = {
    name: options.name ?? "my-estate",
    subscriptionId: found.subscriptionId,
    objectives: {
      rtoMinutes: 60,
      rpoMinutes: 30,
      appConsistentFrequencyMinutes: policy?.appConsistentFrequencyMinutes ?? 60,
      retentionDays: policy?.retentionMinutes !== undefined ? policy.retentionMinutes / 1440 : 1,
    },
    vaults,
    targetDomainController: { vmId: PLACEHOLDER.vmId, address: PLACEHOLDER.address, domain: PLACEHOLDER.domain },
    ...(dcs[0] ? { drill: { domainController: String(dcs[0].json["name"]) } } : {}),
    database: { host: PLACEHOLDER.databaseHost, port: 5432 },
    tiers,
    vms: vms.map((vm) => ({ ...vm.json, tier: vm.tier })),
    dns,
    routes: estateRoutes,
    recoveryPoint: "latest",
    alerting: {
      expressRouteCircuits: [{ id: PLACEHOLDER.circuit, role: "active" }],
      natVm: {
        vm: nat ? String(nat.json["name"]) : "<name of the NAT/firewall VM>",
        resourceIds: [],
        heartbeatComputer: nat ? String(nat.json["name"]) : "<its computer name>",
      },
      rpoAlertRules: [],
    },
  };
  ask("name", `a name of your choice for the estate (part of run ids); '${String(estate["name"])}' proposed`);
  ask("objectives.rtoMinutes", "your recovery time objective: Azure does not hold it; 60 proposed");
  ask("objectives.rpoMinutes", "your recovery point objective: an InMageRcm replication policy carries no RPO threshold; 30 proposed");
  if (!policy)
    ask("objectives.retentionDays", "no InMageRcm replication policy could be read: set the retention and app-consistent frequency of the vaults' policy");
  ask("targetDomainController", "the domain controller already running in the target region (its VM id, address and domain): it is not in the vaults");
  ask("database", "the database the apps reach after failover (host and port): it is not in the vaults");
  ask("alerting.expressRouteCircuits", "the ExpressRoute circuits carrying the site's link and their roles (active, passive)");
  ask(
    "alerting.natVm",
    nat
      ? `'${String(nat.json["name"])}' is proposed as the NAT/firewall: a route's next hop is its address; add the resource ids its alerts target (resourceIds) and check heartbeatComputer`
      : "no route points at a protected VM: name the NAT/firewall VM, or leave routes empty",
  );
  return { estate, draft: { incomplete, confirm, unmatchedRecords: unmatched } };
}

function keysFor(vaults: readonly DiscoveredVault[]): string[] {
  const used = new Set<string>();
  return vaults.map((vault) => {
    const base = sanitize(vault.region ?? vault.name);
    let key = base;
    for (let n = 2; used.has(key); n++) key = `${base}-${n}`;
    used.add(key);
    return key;
  });
}

function vaultJson(vault: DiscoveredVault, key: string, ask: (path: string, why: string) => void): Json {
  const testNetworks = [...new Set(vault.items.flatMap((i) => (i.testNetworkId ? [i.testNetworkId] : [])))];
  if (testNetworks.length !== 1) {
    ask(
      `vaults.${key}.testNetworkId`,
      testNetworks.length === 0
        ? "no item names a test failover network: name the isolated VNet drills use"
        : `the items name several test networks (${testNetworks.join(", ")}): keep the isolated one drills use`,
    );
  }
  // The VNets the items fail over into, as ASR holds them: the health check reads their DNS servers.
  const recoveryNetworks = [
    ...new Map(vault.items.flatMap((i) => (i.targetNetworkId ? [[i.targetNetworkId.toLowerCase(), i.targetNetworkId] as const] : []))).values(),
  ];
  if (recoveryNetworks.length === 0) {
    ask(
      `vaults.${key}.recoveryNetworkIds`,
      "no item names a target network: name the VNets the VMs fail over into, so the health check reads their DNS servers",
    );
  }
  const agent = vault.reprotectAgents[0];
  const failbackPolicy = vault.policies.find((p) => p.provider === "InMageRcmFailback");
  const reprotect = agent
    ? {
        reprotect: {
          reprotectAgentId: agent.id,
          datastoreName: agent.datastores[0] ?? "<vSphere datastore>",
          logStorageAccountId: PLACEHOLDER.armId,
          ...(failbackPolicy ? { policyId: failbackPolicy.id } : {}),
        },
      }
    : {};
  if (agent) {
    ask(
      `vaults.${key}.reprotect`,
      `failback settings proposed from the appliance's reprotect agent '${agent.name}' (datastore ${agent.datastores.join(", ") || "unknown"}): set logStorageAccountId (the storage account ASR logs to), or delete reprotect to leave failback out`,
    );
  }
  return {
    resourceGroup: vault.resourceGroup,
    name: vault.name,
    region: vault.region ?? "<Azure region of the vault>",
    provider: "InMageRcm",
    fabric: vault.fabric ?? "",
    protectionContainer: vault.container ?? "",
    testNetworkId: testNetworks[0] ?? PLACEHOLDER.armId,
    recoveryNetworkIds: recoveryNetworks,
    ...reprotect,
  };
}

function proposeVm(found: DiscoveredEstate, item: DiscoveredItem, vaultKey: string): ProposedVm {
  const name = sanitize(item.friendlyName);
  const nic = item.nics.find((n) => n.primary) ?? item.nics[0];
  const isDc = /^dc\d*$|^dc[-_.]|[-_.]dc\d*$|^dc\d+/i.test(item.friendlyName) && item.os === "windows";
  const group = item.targetResourceGroupId ?? `/subscriptions/${found.subscriptionId}/resourceGroups/<target resource group>`;
  return {
    json: {
      name,
      tier: "",
      vault: vaultKey,
      protectedItem: item.name,
      os: item.os ?? "windows",
      ...(isDc ? { role: "domainController" } : {}),
      recoveryVmId: `${group}/providers/Microsoft.Compute/virtualMachines/${item.targetVmName ?? name}`,
      recoveryIp: nic?.targetIp ?? PLACEHOLDER.ip,
      ...(nic?.sourceIp ? { onPremisesIp: nic.sourceIp } : {}),
    },
    item,
    vaultKey,
    isDc,
    tier: "",
  };
}

/** Tiers from the VMs' proposed groups, ordered by the recovery plans: a tier follows the tiers of the boot group before it. */
function proposeTiers(vaults: readonly DiscoveredVault[], vms: readonly ProposedVm[], ask: (path: string, why: string) => void): Json[] {
  const names = [...new Set(vms.map((vm) => vm.tier))];
  const rank = (tier: string): { plan: string; group: number } | undefined => {
    for (const vault of vaults) {
      for (const plan of vault.recoveryPlans) {
        const groups = plan.bootGroups.map((g, i) => ({ i, hit: vms.some((vm) => vm.tier === tier && g.includes(vm.item.name.toLowerCase())) }));
        const first = groups.find((g) => g.hit);
        if (first) return { plan: plan.name, group: first.i };
      }
    }
    return undefined;
  };
  const ranks = new Map(names.map((t) => [t, rank(t)]));
  const ordered = [...names].sort((a, b) => (ranks.get(a)?.group ?? 99) - (ranks.get(b)?.group ?? 99));
  return ordered.map((tier, i) => {
    const r = ranks.get(tier);
    const dependsOn = r ? ordered.filter((other) => other !== tier && ranks.get(other)?.plan === r.plan && ranks.get(other)?.group === r.group - 1) : [];
    const tierVms = vms.filter((vm) => vm.tier === tier);
    const dcs = tierVms.every((vm) => vm.isDc);
    const windows = tierVms.every((vm) => vm.item.os === "windows");
    const guestChecks = dcs ? ["domainController"] : windows ? ["domainSecureChannel"] : [];
    ask(
      `tiers[${i}]`,
      `tier '${tier}' (${tierVms.map((vm) => String(vm.json["name"])).join(", ")}) is proposed from ${dcs ? "the domain controllers found" : tier === "edge" ? "the routes through its VM" : "the VM names"}; ${
        r
          ? `it follows ${dependsOn.length > 0 ? dependsOn.join(", ") : "nothing"} as boot group ${r.group + 1} of recovery plan '${r.plan}'`
          : "no recovery plan orders it"
      }: check its name, dependsOn (a tier of another vault's plan cannot be ordered from it), guestChecks (${guestChecks.join(", ") || "none"}; add databaseReachable where the apps need the database) and add a healthProbe if its app has one`,
    );
    return { name: tier, dependsOn, guestChecks };
  });
}

function proposeDns(
  found: DiscoveredEstate,
  vms: readonly ProposedVm[],
  ask: (path: string, why: string) => void,
): { dns: Json[]; unmatched: DraftSection["unmatchedRecords"] } {
  const dns: Json[] = [];
  const unmatched: DraftSection["unmatchedRecords"] = [];
  for (const record of found.recordSets) {
    const owners = record.addresses.map((a) => vms.find((vm) => addressesOf(vm.item).includes(a)));
    if (owners.length === 0 || owners.some((o) => o === undefined)) {
      unmatched.push({ ...record, addresses: [...record.addresses] });
      continue;
    }
    const matched = owners as ProposedVm[];
    const tiers = [...new Set(matched.map((vm) => vm.tier))];
    if (tiers.length > 1)
      ask(`dns[${dns.length}].tier`, `record '${record.name}' points at VMs of several tiers (${tiers.join(", ")}): keep the tier whose failover moves it`);
    dns.push({
      tier: tiers[0],
      zoneType: record.zoneType,
      resourceGroup: record.resourceGroup,
      zone: record.zone,
      name: record.name,
      failoverAddresses: matched.map((vm) => String(vm.json["recoveryIp"])),
      ttl: record.ttl,
    });
  }
  return { dns, unmatched };
}

function mainPolicy(found: DiscoveredEstate): { retentionMinutes?: number; appConsistentFrequencyMinutes?: number } | undefined {
  const used = found.vaults.flatMap((v) => v.items.flatMap((i) => (i.policyId ? [i.policyId.toLowerCase()] : [])));
  const policies = found.vaults.flatMap((v) => v.policies).filter((p) => p.provider === "InMageRcm");
  return policies.find((p) => used.includes(p.id.toLowerCase())) ?? policies[0];
}

function addressesOf(item: DiscoveredItem): string[] {
  return item.nics.flatMap((n) => [n.sourceIp, n.targetIp].filter((a): a is string => a !== undefined));
}

/** A tier name from a VM name: its letters before the number ('WEB01' -> 'web'). */
function tierFromName(vmName: string): string {
  const stem = vmName.replace(/[-_.]?\d+$/, "").toLowerCase();
  return sanitize(stem === "" ? vmName.toLowerCase() : stem);
}

/** A value the estate's Name pattern accepts. */
function sanitize(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9_.-]/g, "-").replace(/^[^A-Za-z0-9]+/, "");
  return cleaned === "" ? "x" : cleaned;
}
