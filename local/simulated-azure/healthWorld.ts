import type { Estate, Vault } from "../../shared/domain/estate.js";
import type { HealthFaultPlan } from "./healthFaults.js";
import { keyOf, lastSegment, vaultId } from "./ids.js";
import { vmKey, type World } from "./world.js";

/** An ASR HealthError as the API spells it (the fields the simulator fills). */
export interface HealthErrorJson {
  readonly errorCode?: string;
  readonly errorLevel: "Error" | "Warning";
  readonly errorSource: string;
  readonly errorMessage: string;
  readonly summaryMessage: string;
  readonly possibleCauses: string;
  readonly recommendedAction: string;
  readonly creationTimeUtc: string;
  readonly errorCategory: string;
  readonly customerResolvability: "Allowed" | "NotAllowed";
}

/** What is wrong with one VM, as times: each condition started at a given instant and still holds. */
export interface VmCondition {
  agentSilentSince?: Date;
  replicationStalledSince?: Date;
  appConsistentStoppedSince?: Date;
  replicationHealth?: "Normal" | "Warning" | "Critical";
  healthErrors: HealthErrorJson[];
  agentVersion?: string;
  neverTested?: boolean;
  targetNetworkUnset?: boolean;
}

export const LATEST_AGENT_VERSION = "9.62.7172.1";
export const OUTDATED_AGENT_VERSION = "9.60.6956.1";
const MINUTE = 60_000;

/**
 * The on-premises and monitoring side of the simulated estate, which the ASR simulator does not model:
 * Mobility agent, VSS, replication network, vCenter, ExpressRoute, the target DC's heartbeat, recovery
 * plans and policies. Seeded once from the fault plan at `start`; conditions are instants, so ages grow
 * with the simulated clock like the real ones do.
 */
/**
 * The peerings the simulated circuits carry: private peering (the site's traffic) and Microsoft
 * peering, the values of the BgpAvailability/ArpAvailability `PeeringType` dimension (Microsoft docs,
 * "ExpressRoute monitoring, metrics, and alerts": split by peering type and peer). That every
 * simulated circuit has Microsoft peering is this simulator's assumption.
 */
export const PEERINGS = ["AzurePrivatePeering", "MicrosoftPeering"] as const;
export type Peering = (typeof PEERINGS)[number];

export interface HealthWorld {
  readonly estate: Estate;
  readonly plan: HealthFaultPlan;
  readonly start: Date;
  condition(vmName: string): VmCondition | undefined;
  isMissing(vmName: string): boolean;
  /** The estate vault key the VM's item was moved to, if it was. */
  movedTo(vmName: string): string | undefined;
  lastSuccessfulTestFailover(vmName: string): Date | undefined;
  /** The production target network of a vault's failed-over VMs. */
  targetNetworkId(vault: Vault): string;
  circuitRegion(circuitId: string): string | undefined;
  isCircuitDown(circuitId: string): boolean;
  /** Availability of one peering of the circuit, in percent. */
  peeringAvailability(circuitId: string, peering: Peering): number;
  /** Newest Heartbeat of the target DC at `now` (one a minute while it runs). */
  targetDcLastHeartbeat(now: Date): Date;
  /**
   * Resource Health of an Azure VM by ARM id: the plan's status, else Available for a VM the
   * simulated world holds; undefined for a resource that is neither (ARM answers 404).
   */
  resourceHealthOf(resourceId: string): { availabilityState: string; context?: string } | undefined;
}

export function createHealthWorld(world: World, plan: HealthFaultPlan, start: Date): HealthWorld {
  const { estate } = world;
  const conditions = new Map<string, VmCondition>();
  const at = (minutesAgo: number): Date => new Date(start.getTime() - minutesAgo * MINUTE);
  const stamp = start.toISOString();
  const of = (vm: string): VmCondition => {
    const key = vm.toLowerCase();
    if (!estate.vms.some((v) => v.name.toLowerCase() === key)) throw new Error(`Health fault names VM '${vm}', which is not in the estate`);
    let c = conditions.get(key);
    if (!c) {
      c = { healthErrors: [] };
      conditions.set(key, c);
    }
    return c;
  };
  const error = (
    code: string | undefined,
    level: "Error" | "Warning",
    message: string,
    possibleCauses: string,
    recommendedAction: string,
  ): HealthErrorJson => ({
    ...(code ? { errorCode: code } : {}),
    errorLevel: level,
    errorSource: "Replication",
    errorMessage: message,
    summaryMessage: message,
    possibleCauses,
    recommendedAction,
    creationTimeUtc: stamp,
    errorCategory: "Replication",
    customerResolvability: "Allowed",
  });
  const raise = (c: VmCondition, health: "Warning" | "Critical"): void => {
    if (c.replicationHealth !== "Critical") c.replicationHealth = health;
  };

  for (const vm of plan.avBlockingAgent ?? []) {
    const c = of(vm);
    c.agentSilentSince = at(120);
    c.replicationStalledSince = at(120);
    c.healthErrors.push(
      error(
        "78174",
        "Error",
        `No heartbeat from the Mobility agent on the source machine '${vm}'.`,
        "The Mobility agent's services are not running or cannot reach the replication appliance.",
        "Check the agent services and the connectivity from the source machine to the appliance.",
      ),
    );
    raise(c, "Critical");
  }
  for (const vm of plan.networkTrouble ?? []) {
    const c = of(vm);
    c.replicationStalledSince = at(50);
    c.healthErrors.push(
      error(
        "78169",
        "Error",
        `No crash-consistent recovery point available for the VM '${vm}' in the last 45 minutes.`,
        "Connectivity, bandwidth or time sync issues between the source machine, the process server and Azure.",
        "Check the network between the source machine, the appliance and Azure.",
      ),
    );
    raise(c, "Critical");
  }
  for (const vm of plan.staleRpo ?? []) of(vm).replicationStalledSince ??= at(20);
  for (const vm of plan.vssFailing ?? []) {
    const c = of(vm);
    c.appConsistentStoppedSince = at(300);
    c.healthErrors.push(
      error(
        "78144",
        "Warning",
        `No app-consistent recovery point available for the VM '${vm}' in the last 300 minutes.`,
        "VSS failed to take an application-consistent snapshot.",
        "Check the VSS writers and the Azure Site Recovery VSS Provider on the VM.",
      ),
    );
    raise(c, "Warning");
  }
  for (const vm of plan.vcenterPermissions ?? []) {
    const c = of(vm);
    c.healthErrors.push(
      error(
        undefined,
        "Error",
        "The vCenter Server account used by the replication appliance doesn't have the permissions required for replication, failover and failback.",
        "The role assigned to the vCenter account lacks privileges, or the account changed.",
        "Assign the required permissions to the vCenter account and refresh the vCenter server.",
      ),
    );
    raise(c, "Warning");
  }
  for (const vm of plan.unknownHealthError ?? []) {
    const c = of(vm);
    c.healthErrors.push(
      error(
        "SIM-0001",
        "Warning",
        "An unexpected condition was reported for the replicated item (simulated).",
        "Simulated: this error is not in any catalogue.",
        "Contact support with the activity id (simulated).",
      ),
    );
    raise(c, "Warning");
  }
  for (const vm of plan.agentOutdated ?? []) of(vm).agentVersion = OUTDATED_AGENT_VERSION;
  for (const vm of plan.neverTested ?? []) of(vm).neverTested = true;
  for (const vm of plan.targetNetworkUnset ?? []) of(vm).targetNetworkUnset = true;

  const missing = new Set((plan.missingVm ?? []).map((vm) => (of(vm), vm.toLowerCase())));
  const moved = new Map<string, string>();
  for (const { vm, toVault } of plan.movedVm ?? []) {
    of(vm);
    if (!(toVault in estate.vaults)) throw new Error(`Health fault moves ${vm} to vault '${toVault}', which is not in the estate`);
    moved.set(vm.toLowerCase(), toVault);
  }

  // DNS TTLs live in the ASR/DNS world: raise them there, once, like an operator edit would.
  for (const [name, ttl] of Object.entries(plan.dnsTtl ?? {})) {
    const records = [...world.dns.values()].filter((r) => r.name.toLowerCase() === name.toLowerCase());
    if (records.length === 0) throw new Error(`Health fault sets the TTL of DNS record '${name}', which is not in the estate`);
    for (const r of records) r.ttl = ttl;
  }

  const regions = new Map(Object.entries(estate.healthCheck?.circuitRegions ?? {}).map(([id, region]) => [id.toLowerCase(), region.toLowerCase()]));
  const down = new Set((plan.expressRouteDown ?? []).map((n) => n.toLowerCase()));
  for (const name of down) {
    if (!estate.alerting.expressRouteCircuits.some((c) => lastSegment(c.id).toLowerCase() === name))
      throw new Error(`Health fault takes down circuit '${name}', which is not in the estate`);
  }
  const privateDown = new Set((plan.privatePeeringDown ?? []).map((n) => n.toLowerCase()));
  const dcSilentSince = plan.targetDcSilentMinutes !== undefined ? at(plan.targetDcSilentMinutes) : undefined;
  // The plan's entries are Azure VMs outside the ASR world (an Azure-hosted NAT/firewall): their existence is the plan's statement.
  const resourceHealth = new Map(Object.entries(plan.resourceHealth ?? {}).map(([id, status]) => [id.toLowerCase(), status]));

  return {
    estate,
    plan,
    start,
    condition: (vm) => conditions.get(vm.toLowerCase()),
    isMissing: (vm) => missing.has(vm.toLowerCase()),
    movedTo: (vm) => moved.get(vm.toLowerCase()),
    lastSuccessfulTestFailover: (vm) => (conditions.get(vm.toLowerCase())?.neverTested ? undefined : at(20 * 24 * 60)),
    // The items' target network: the first recovery VNet the vault names, else vnet-prod-<region> in the vault's group
    // (the simulator's own network plan; vnetHandlers.ts serves both).
    targetNetworkId: (vault) =>
      vault.recoveryNetworkIds[0] ??
      `/subscriptions/${estate.subscriptionId}/resourceGroups/${vault.resourceGroup}/providers/Microsoft.Network/virtualNetworks/vnet-prod-${vault.region}`,
    circuitRegion: (id) => regions.get(id.toLowerCase()),
    isCircuitDown: (id) => down.has(lastSegment(id).toLowerCase()),
    peeringAvailability: (id, peering) => {
      const name = lastSegment(id).toLowerCase();
      return down.has(name) || (peering === "AzurePrivatePeering" && privateDown.has(name)) ? 0 : 100;
    },
    targetDcLastHeartbeat: (now) => dcSilentSince ?? new Date(Math.floor(now.getTime() / MINUTE) * MINUTE),
    resourceHealthOf: (resourceId) => {
      const planned = resourceHealth.get(resourceId.toLowerCase());
      if (planned) return planned;
      const [, , , , group = "", , , , name = ""] = resourceId.split("/");
      return world.vms.has(vmKey(group, name)) ? { availabilityState: "Available" } : undefined;
    },
  };
}

/** '/Subscriptions/.../vaults/<v>/replicationFabrics/<f>/replicationProtectionContainers/<c>' of a vault. */
export function containerPath(estate: Estate, vault: Vault): string {
  return `${vaultId(estate.subscriptionId, vault.resourceGroup, vault.name)}/replicationFabrics/${vault.fabric}/replicationProtectionContainers/${vault.protectionContainer}`;
}

export function vaultKeyOf(estate: Estate, resourceGroup: string, vaultName: string): string | undefined {
  return Object.entries(estate.vaults).find(([, v]) => keyOf(v.resourceGroup, v.name) === keyOf(resourceGroup, vaultName))?.[0];
}
