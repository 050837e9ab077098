import type { Estate, Vault, Vm } from "../../shared/domain/estate.js";
import { createIdSource, keyOf, lastSegment, vaultId, type IdSource } from "./ids.js";
import { ON_PREMISES_FIREWALL_BLOCK, sourceAddressOf, sourceAddressOfRecoveryIp } from "./sourceAddresses.js";
import type { FaultPlan, JobDurations } from "./simulatedAzure.js";

/** Job scenario names as ASR reports them for InMageRcm items (recorded: test/fixtures/azure/asr-inmagercm-recorded.md). */
export type Scenario = "UnplannedFailover" | "TestFailover" | "CommitFailover" | "TestFailoverCleanup" | "SwitchReplicationGroupProtection" | "PlannedFailover";

export interface CurrentScenario {
  scenarioName: Scenario | "None";
  jobId: string;
  startTime: Date | undefined;
}

export interface ProtectedItem {
  readonly key: string;
  readonly vm: Vm;
  readonly vaultKey: string;
  readonly vault: Vault;
  /** ARM id as ASR spells it ('/Subscriptions/...'). */
  readonly id: string;
  readonly internalId: string;
  protectionState: string;
  protectionStateDescription: string;
  activeLocation: "Primary" | "Recovery";
  testFailoverState: string;
  testFailoverStateDescription: string;
  allowedOperations: string[];
  replicationHealth: string;
  currentScenario: CurrentScenario;
  failoverRecoveryPointId: string | undefined;
  lastSuccessfulFailoverTime: Date | undefined;
  lastSuccessfulTestFailoverTime: Date | undefined;
  /** Replication stops when an unplanned failover starts: no newer recovery points after this time. */
  replicationFrozenAt: Date | undefined;
  /** Failover jobs (unplanned or test) started so far: drives FaultPlan.failFirstFailoverJobOf. */
  failoverJobsStarted: number;
  /** Reprotected: replicating from Azure back to the on-premises site (ASR's InMageRcmFailback). */
  reprotected?: boolean;
  /** Replication back to vSphere and the failback after it (failbackReplication.ts); ISO times, so a snapshot copies it as is. */
  failback?: {
    syncStartedAt: string;
    syncEndsAt: string;
    syncSeq: number;
    synced: boolean;
    plannedFailoverStartTime?: string;
    plannedFailoverStatus?: string;
    plannedFailoverJobsStarted: number;
  };
  /** The item's multi-VM consistency group (FaultPlan.multiVmGroupOf), if any. */
  readonly multiVmGroup?: string;
  /** FaultPlan.ambiguousFailoverOf already answered this item's failover with a 500. */
  ambiguousAnswered?: boolean;
}

export type JobOutcome = "Succeeded" | "PartiallySucceeded" | "Failed" | "Suspended";

export interface AsrJob {
  readonly name: string;
  readonly id: string;
  readonly seq: number;
  readonly item: ProtectedItem;
  readonly scenario: Scenario;
  readonly startTime: Date;
  readonly endsAt: Date;
  readonly apiVersion: string;
  /** Decided when the job starts (faults), applied when its time has elapsed. */
  readonly outcome: JobOutcome;
  readonly recoveryPointId: string | undefined;
  state: "InProgress" | "Succeeded" | "Failed" | "Suspended";
  /** For Succeeded: 'Completed' or, by fault, 'PartiallySucceeded' (the SDK's JobProperties.stateDescription values). */
  stateDescription: string;
  endTime: Date | undefined;
}

export interface SimVm {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly os: "windows" | "linux";
  readonly kind: "targetDc" | "recovered" | "test";
  /** The estate VM it was recovered from (absent for the target DC). */
  readonly source: Vm | undefined;
}

export interface DnsRecordSet {
  readonly zoneType: "public" | "private";
  readonly resourceGroup: string;
  readonly zone: string;
  readonly name: string;
  addresses: string[];
  ttl: number;
  etag: string;
  metadata: Record<string, string> | undefined;
}

export interface SimRoute {
  readonly resourceGroup: string;
  readonly routeTable: string;
  readonly name: string;
  addressPrefix: string;
  nextHopType: string;
  nextHopIpAddress: string | undefined;
  etag: string;
  provisioningState: "Succeeded" | "Updating" | "Deleting";
}

export interface RouteOperation {
  readonly name: string;
  readonly seq: number;
  readonly route: SimRoute;
  readonly location: string;
  readonly endsAt: Date;
  readonly startTime: Date;
  state: "InProgress" | "Succeeded";
}

/** The primary NIC of a simulated VM (nicHandlers.ts): what routes point at and what forwards. */
export interface SimNic {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly vm: SimVm;
  readonly ipConfigName: string;
  readonly subnetId: string;
  readonly privateIpAddress: string;
  enableIpForwarding: boolean;
  etag: string;
  provisioningState: "Succeeded" | "Updating";
}

export interface NicOperation {
  readonly name: string;
  readonly seq: number;
  readonly nic: SimNic;
  readonly location: string;
  readonly endsAt: Date;
  /** The forwarding setting the PUT asked for: the data plane applies it when the operation ends. */
  readonly enableIpForwarding: boolean;
  state: "InProgress" | "Succeeded";
}

export interface RunCommandOperation {
  readonly name: string;
  readonly seq: number;
  readonly vm: SimVm;
  readonly location: string;
  readonly script: readonly string[];
  readonly endsAt: Date;
  readonly apiVersion: string;
  state: "InProgress" | "Succeeded" | "Failed";
  output: { stdout: string; stderr: string } | undefined;
}

/** The whole simulated Azure estate: mutated only by handlers and by settle(). */
export interface World {
  readonly estate: Estate;
  readonly durations: JobDurations;
  readonly faults: FaultPlan;
  readonly ids: IdSource;
  readonly items: Map<string, ProtectedItem>;
  readonly jobs: Map<string, AsrJob>;
  readonly vms: Map<string, SimVm>;
  readonly dnsZones: Set<string>;
  readonly dns: Map<string, DnsRecordSet>;
  readonly routeTables: Map<string, { readonly location: string }>;
  readonly routes: Map<string, SimRoute>;
  readonly routeOps: Map<string, RouteOperation>;
  /** Primary NIC of each VM, by vmKey of the VM. */
  readonly nics: Map<string, SimNic>;
  readonly nicOps: Map<string, NicOperation>;
  /** NICs whose IP forwarding is in effect in the data plane (a NIC update in progress has not landed yet). */
  readonly forwardingNics: Set<SimNic>;
  readonly runCommands: Map<string, RunCommandOperation>;
  /** Orders completions that fall on the same instant by start order. */
  nextSeq(): number;
  /** The last number nextSeq gave; a restored world goes on after it (worldSnapshot.ts). */
  lastSeq(): number;
  resumeSeqAfter(seq: number): void;
}

/** Operations ASR allows on a healthy VMware-to-Azure item. No PlannedFailover: V2A cannot plan a failover to Azure. */
export const PROTECTED_ALLOWED_OPERATIONS: readonly string[] = ["UnplannedFailover", "TestFailover", "DisableProtection"];

export const NO_JOB_START = new Date("1753-01-01T01:01:01Z");

export function itemKey(resourceGroup: string, vaultName: string, fabric: string, container: string, item: string): string {
  return keyOf(resourceGroup, vaultName, fabric, container, item);
}

export function vmKey(resourceGroup: string, name: string): string {
  return keyOf(resourceGroup, name);
}

export function dnsKey(zoneType: "public" | "private", resourceGroup: string, zone: string, name: string): string {
  return keyOf(zoneType, resourceGroup, zone, name);
}

export function routeKey(resourceGroup: string, routeTable: string, route: string): string {
  return keyOf(resourceGroup, routeTable, route);
}

export function noneScenario(item: { readonly vault: Vault }, subscriptionId: string): CurrentScenario {
  return { scenarioName: "None", jobId: `${vaultId(subscriptionId, item.vault.resourceGroup, item.vault.name)}/replicationJobs/None`, startTime: undefined };
}

/** Resource group and name of an ARM resource id. */
export function parseResourceId(id: string): { resourceGroup: string; name: string } {
  const match = /\/resourceGroups\/([^/]+)\//i.exec(id);
  return { resourceGroup: match?.[1] ?? "", name: lastSegment(id) };
}

/** Azure region of a resource group: the region of the vault that lives in it, else the first vault's. */
export function regionOf(estate: Estate, resourceGroup: string): string {
  const vaults = Object.values(estate.vaults);
  const inGroup = vaults.find((v) => v.resourceGroup.toLowerCase() === resourceGroup.toLowerCase());
  return (inGroup ?? vaults[0])?.region ?? "eastus";
}

/** A VM appears with its primary NIC, IP forwarding off, as Azure creates NICs (NetworkInterfaceCreate.json). */
export function addVm(world: World, vm: SimVm): void {
  const key = vmKey(vm.resourceGroup, vm.name);
  world.vms.set(key, vm);
  const privateIpAddress = nicAddressOf(world, vm);
  const existing = world.nics.get(key);
  if (existing?.vm.id.toLowerCase() === vm.id.toLowerCase() && existing.privateIpAddress === privateIpAddress) return;
  // How ASR names the NICs it creates is not documented for this simulator: the product reads the id from the VM.
  const name = `${vm.name}-nic0`;
  const network = vm.kind === "test" ? "vnet-drill" : `vnet-${vm.location}`;
  world.nics.set(key, {
    id: `/subscriptions/${world.estate.subscriptionId}/resourceGroups/${vm.resourceGroup}/providers/Microsoft.Network/networkInterfaces/${name}`,
    name,
    resourceGroup: vm.resourceGroup,
    location: vm.location,
    vm,
    ipConfigName: "ipconfig1",
    subnetId: `/subscriptions/${world.estate.subscriptionId}/resourceGroups/${vm.resourceGroup}/providers/Microsoft.Network/virtualNetworks/${network}/subnets/snet-${vm.source?.tier ?? "identity"}`,
    privateIpAddress,
    enableIpForwarding: false,
    etag: `W/"${world.ids.uuid("nic-etag")}"`,
    provisioningState: "Succeeded",
  });
}

/**
 * ASR gives the recovered NIC the item's static target IP (vmNics[].targetIPAddress / testIPAddress, which
 * asrPayloads.ts answers as the estate's recoveryIp); FaultPlan.nicAddressOf stands for an address Azure
 * assigned instead (no static target IP set). The target DC's NIC holds the address the estate names for it.
 */
function nicAddressOf(world: World, vm: SimVm): string {
  if (!vm.source) return world.estate.targetDomainController.address;
  return (vm.kind === "recovered" ? world.faults.nicAddressOf?.[vm.source.name] : undefined) ?? vm.source.recoveryIp;
}

/** The address of the on-premises firewall the routes start on (seedRoutes), reached over ExpressRoute. */
export function isOnPremisesFirewall(address: string): boolean {
  return address.startsWith(ON_PREMISES_FIREWALL_BLOCK);
}

export function createWorld(estate: Estate, durations: JobDurations, faults: FaultPlan): World {
  let seq = 0;
  const world: World = {
    estate,
    durations,
    faults,
    ids: createIdSource(estate.name),
    items: new Map(),
    jobs: new Map(),
    vms: new Map(),
    dnsZones: new Set(),
    dns: new Map(),
    routeTables: new Map(),
    routes: new Map(),
    routeOps: new Map(),
    nics: new Map(),
    nicOps: new Map(),
    forwardingNics: new Set(),
    runCommands: new Map(),
    nextSeq: () => ++seq,
    lastSeq: () => seq,
    resumeSeqAfter: (last) => void (seq = Math.max(seq, last)),
  };
  seedItems(world);
  seedTargetDc(world);
  seedDns(world);
  seedRoutes(world);
  return world;
}

function seedItems(world: World): void {
  const { estate } = world;
  for (const vm of estate.vms) {
    const vault = estate.vaults[vm.vault];
    if (!vault) continue; // parseEstate guarantees it exists
    const id = `${vaultId(estate.subscriptionId, vault.resourceGroup, vault.name)}/replicationFabrics/${vault.fabric}/replicationProtectionContainers/${vault.protectionContainer}/replicationProtectedItems/${vm.protectedItem}`;
    const base = { vault };
    world.items.set(itemKey(vault.resourceGroup, vault.name, vault.fabric, vault.protectionContainer, vm.protectedItem), {
      key: itemKey(vault.resourceGroup, vault.name, vault.fabric, vault.protectionContainer, vm.protectedItem),
      vm,
      vaultKey: vm.vault,
      vault,
      id,
      internalId: world.ids.uuid(`item:${vm.name}`),
      protectionState: "Protected",
      protectionStateDescription: "Protected",
      activeLocation: "Primary",
      testFailoverState: "None",
      testFailoverStateDescription: "None",
      allowedOperations: [...PROTECTED_ALLOWED_OPERATIONS],
      replicationHealth: "Normal",
      currentScenario: noneScenario(base, estate.subscriptionId),
      failoverRecoveryPointId: undefined,
      lastSuccessfulFailoverTime: undefined,
      lastSuccessfulTestFailoverTime: undefined,
      replicationFrozenAt: undefined,
      failoverJobsStarted: 0,
      ...(world.faults.multiVmGroupOf?.[vm.name] ? { multiVmGroup: world.faults.multiVmGroupOf[vm.name] } : {}),
    });
  }
}

function seedTargetDc(world: World): void {
  const { resourceGroup, name } = parseResourceId(world.estate.targetDomainController.vmId);
  addVm(world, {
    id: world.estate.targetDomainController.vmId,
    name,
    resourceGroup,
    location: regionOf(world.estate, resourceGroup),
    os: "windows",
    kind: "targetDc",
    source: undefined,
  });
}

const PUBLIC_ON_PREMISES_BLOCKS = ["203.0.113", "198.51.100", "192.0.2"];

/** The nth on-premises address: RFC 1918 for private zones, documentation (TEST-NET) ranges for public ones. */
function onPremisesAddress(zoneType: "public" | "private", n: number): string {
  const host = 1 + (n % 250);
  return zoneType === "private"
    ? `192.168.${(10 + Math.floor(n / 250)) % 256}.${host}`
    : `${PUBLIC_ON_PREMISES_BLOCKS[Math.floor(n / 250) % 3] ?? "203.0.113"}.${host}`;
}

/** Record sets start on the on-premises site, as many addresses as they will have after failover. */
function seedDns(world: World): void {
  let n = 0;
  world.estate.dns.forEach((record) => {
    world.dnsZones.add(keyOf(record.zoneType, record.resourceGroup, record.zone));
    // A private record of recovered VMs starts on those VMs' on-premises addresses (sourceAddresses.ts).
    const addresses = record.failoverAddresses.map((ip) => {
      const fallback = onPremisesAddress(record.zoneType, n++);
      return (record.zoneType === "private" ? sourceAddressOfRecoveryIp(world.estate, ip) : undefined) ?? fallback;
    });
    world.dns.set(dnsKey(record.zoneType, record.resourceGroup, record.zone, record.name), {
      zoneType: record.zoneType,
      resourceGroup: record.resourceGroup,
      zone: record.zone,
      name: record.name,
      addresses,
      ttl: record.ttl,
      etag: world.ids.uuid("dns-etag"),
      metadata: undefined,
    });
  });
}

/** The on-premises address of the route's NAT/firewall VM (sourceAddresses.ts). */
function hopAddress(estate: Estate, nextHopVm: string, i: number): string {
  const hop = estate.vms.find((vm) => vm.name === nextHopVm);
  return hop ? sourceAddressOf(estate, hop) : `${ON_PREMISES_FIREWALL_BLOCK}${4 + (i % 250)}`;
}

/** Routes start pointing at the on-premises firewall: the NAT/firewall VM on premises. */
function seedRoutes(world: World): void {
  world.estate.routes.forEach((route, i) => {
    world.routeTables.set(keyOf(route.resourceGroup, route.routeTable), { location: regionOf(world.estate, route.resourceGroup) });
    world.routes.set(routeKey(route.resourceGroup, route.routeTable, route.route), {
      resourceGroup: route.resourceGroup,
      routeTable: route.routeTable,
      name: route.route,
      addressPrefix: route.addressPrefix,
      nextHopType: "VirtualAppliance",
      nextHopIpAddress: hopAddress(world.estate, route.nextHopVm, i),
      etag: `W/"${world.ids.uuid("route-etag")}"`,
      provisioningState: "Succeeded",
    });
  });
}

export function findItemByVmName(world: World, vmName: string): ProtectedItem | undefined {
  for (const item of world.items.values()) if (item.vm.name.toLowerCase() === vmName.toLowerCase()) return item;
  return undefined;
}

/** Recorded (TestV2ARCMTestFailover.json): ASR names the test VM after the target VM with '-test' appended. */
export function testVmName(vm: Vm): string {
  return `${lastSegment(vm.recoveryVmId)}-test`;
}
