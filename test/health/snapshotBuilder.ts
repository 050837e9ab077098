import type { Estate, Vm } from "../../shared/domain/estate.js";
import {
  dnsRecordKey,
  readOk,
  type CircuitAvailability,
  type DnsRecordState,
  type GuestRunEvidence,
  type HealthSnapshot,
  type PolicySnapshot,
  type ProtectedItemSnapshot,
  type Read,
  type RecoveryPlanSnapshot,
  type RecoveryPointSummary,
  type VaultSnapshot,
  type VmAgentState,
} from "../../shared/domain/health/healthSnapshot.js";

export const NOW = new Date("2026-03-01T02:00:00Z");
const MIN = 60_000;
export const minutesAgo = (m: number, now = NOW): Date => new Date(now.getTime() - m * MIN);

export function itemId(estate: Estate, vm: Vm): string {
  const v = estate.vaults[vm.vault];
  if (!v) throw new Error(`no vault ${vm.vault}`);
  return `/Subscriptions/${estate.subscriptionId}/resourceGroups/${v.resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${v.name}/replicationFabrics/${v.fabric}/replicationProtectionContainers/${v.protectionContainer}/replicationProtectedItems/${vm.protectedItem}`;
}

function policyId(estate: Estate, vaultKey: string): string {
  const v = estate.vaults[vaultKey];
  if (!v) throw new Error(`no vault ${vaultKey}`);
  return `/Subscriptions/${estate.subscriptionId}/resourceGroups/${v.resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${v.name}/replicationPolicies/${v.name}-policy`;
}

export function healthyItem(estate: Estate, vm: Vm, now = NOW): ProtectedItemSnapshot {
  const v = estate.vaults[vm.vault];
  return {
    name: vm.protectedItem,
    id: itemId(estate, vm),
    friendlyName: vm.name,
    protectionState: "Protected",
    replicationHealth: "Normal",
    activeLocation: "Primary",
    healthErrors: [],
    lastSuccessfulTestFailoverTime: minutesAgo(20 * 24 * 60, now),
    policyId: policyId(estate, vm.vault),
    provider: v?.provider ?? "InMageRcm",
    lastRecoveryPointReceived: minutesAgo(3, now),
    lastRpoInSeconds: 180,
    lastRpoCalculatedTime: now,
    agent: { version: "9.62.7172.1", latestVersion: "9.62.7172.1", lastHeartbeat: minutesAgo(1, now), expiresOn: new Date(now.getTime() + 400 * 86_400_000) },
    target: {
      vmName: vm.name,
      vmSize: "Standard_D4s_v5",
      networkId: `/subscriptions/${estate.subscriptionId}/resourceGroups/${v?.resourceGroup ?? ""}/providers/Microsoft.Network/virtualNetworks/vnet-prod`,
      resourceGroupId: `/subscriptions/${estate.subscriptionId}/resourceGroups/${v?.resourceGroup ?? ""}`,
      primaryNic: { targetSubnetName: `snet-${vm.tier}`, targetIpAddress: vm.recoveryIp },
    },
  };
}

export function healthyPoints(now = NOW): RecoveryPointSummary {
  return { count: 140, oldest: minutesAgo(5 * 24 * 60 - 30, now), newestCrashConsistent: minutesAgo(3, now), newestAppConsistent: minutesAgo(40, now) };
}

function tierOrderPlan(estate: Estate, vaultKey: string): RecoveryPlanSnapshot {
  const order = ["identity", "edge", "api", "web", "recommendation"];
  const groups = order
    .map((tier) => estate.vms.filter((vm) => vm.vault === vaultKey && vm.tier === tier).map((vm) => itemId(estate, vm).toLowerCase()))
    .filter((g) => g.length > 0);
  return { name: `rp-${vaultKey}`, bootGroups: groups };
}

export interface SnapshotOverrides {
  item?: (vm: Vm, item: ProtectedItemSnapshot) => ProtectedItemSnapshot | undefined;
  points?: (vm: Vm, points: RecoveryPointSummary) => Read<RecoveryPointSummary>;
  vault?: (key: string, vault: VaultSnapshot) => VaultSnapshot;
  circuits?: Record<string, Read<CircuitAvailability>>;
  targetDcHeartbeat?: Read<Date | null> | undefined;
  dns?: (key: string, state: DnsRecordState) => Read<DnsRecordState | null>;
  dcAgent?: Read<VmAgentState>;
  vmAgents?: Record<string, Read<VmAgentState>>;
  /** The run history's in-guest check steps; absent, the run history is not wired (no guestAgent rows). */
  recentRuns?: Read<readonly GuestRunEvidence[]>;
}

/** A snapshot of the sample estate in which every check is green, bent by `o`. */
export function buildSnapshot(estate: Estate, o: SnapshotOverrides = {}, now = NOW): HealthSnapshot {
  const vaults: Record<string, VaultSnapshot> = {};
  for (const key of Object.keys(estate.vaults)) {
    const items = estate.vms
      .filter((vm) => vm.vault === key)
      .flatMap((vm) => {
        const item = o.item ? o.item(vm, healthyItem(estate, vm, now)) : healthyItem(estate, vm, now);
        return item ? [item] : [];
      });
    const policy: PolicySnapshot = {
      id: policyId(estate, key),
      name: `${estate.vaults[key]?.name ?? key}-policy`,
      retentionMinutes: estate.objectives.retentionDays * 1440,
      appConsistentFrequencyMinutes: 60,
      crashConsistentFrequencyMinutes: 5,
    };
    const vault: VaultSnapshot = { items: readOk(items), recoveryPlans: readOk([tierOrderPlan(estate, key)]), policies: readOk([policy]) };
    vaults[key] = o.vault ? o.vault(key, vault) : vault;
  }
  const recoveryPoints: Record<string, Read<RecoveryPointSummary>> = {};
  for (const vm of estate.vms) recoveryPoints[vm.name] = o.points ? o.points(vm, healthyPoints(now)) : readOk(healthyPoints(now));
  const circuits: Record<string, Read<CircuitAvailability>> = {};
  for (const c of estate.alerting.expressRouteCircuits)
    circuits[c.id.toLowerCase()] = o.circuits?.[c.id.toLowerCase()] ?? readOk({ bgpPercent: 100, arpPercent: 100, windowMinutes: 60 });
  const dns: Record<string, Read<DnsRecordState | null>> = {};
  estate.dns.forEach((r, i) => {
    const state: DnsRecordState = { addresses: r.failoverAddresses.map((_, j) => `192.168.${10 + i}.${j + 1}`), ttl: r.ttl };
    dns[dnsRecordKey(r)] = o.dns ? o.dns(dnsRecordKey(r), state) : readOk(state);
  });
  return {
    takenAt: now,
    vaults,
    recoveryPoints,
    circuits,
    targetDcHeartbeat: "targetDcHeartbeat" in o ? o.targetDcHeartbeat : readOk(minutesAgo(1, now)),
    dns,
    vmAgents: {
      [estate.targetDomainController.vmId.toLowerCase()]:
        o.dcAgent ?? readOk({ exists: true, powerState: "running", agentStatus: "Ready", agentVersion: "2.7.41491.1102" }),
      ...o.vmAgents,
    },
    // Every vault's Site Recovery rows reach the RPO alert rule's workspace, with rpoInSeconds_d.
    asrLogCoverage: readOk(
      Object.values(estate.vaults).map((v) => ({ vault: v.name.toLowerCase(), provider: v.provider, rows: 8, rowsWithRpo: 8, newest: minutesAgo(30, now) })),
    ),
    ...(o.recentRuns ? { recentRuns: o.recentRuns } : {}),
  };
}
