import type { Estate, Vault, Vm } from "../../shared/domain/estate.js";
import { API_VERSIONS } from "./apiVersions.js";
import type { HealthWorld } from "./healthWorld.js";
import { armError, iso, reply, type Exchange, type SimReply } from "./http.js";
import { vaultId } from "./ids.js";
import type { RouteSpec } from "./router.js";
import { lacksVmAgent } from "./runCommand.js";
import { vmKey, type World } from "./world.js";

const VAULT = "subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.RecoveryServices/vaults/{resourceName}";
const INSTANCE_VIEW = "subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/virtualMachines/{vmName}/instanceView";
/** AvailabilityStatuses_GetByResource with a VM as {resourceUri}: the only resource type the product asks Resource Health about. */
const VM_AVAILABILITY =
  "subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/virtualMachines/{vmName}/providers/Microsoft.ResourceHealth/availabilityStatuses/current";
/** The stable version of the AvailabilityStatus_GetByResource example (specification/resourcehealth/.../stable/2022-10-01/examples). */
const RESOURCE_HEALTH_API_VERSIONS = ["2022-10-01"] as const;

/** ARM reads the health check makes that the failover does not: recovery plans, replication policies, VM instance views. */
export function healthArmRoutes(world: World, health: HealthWorld): RouteSpec[] {
  const asr = API_VERSIONS.siteRecovery;
  return [
    {
      method: "GET",
      pattern: `${VAULT}/replicationRecoveryPlans`,
      operation: "ReplicationRecoveryPlans_List",
      apiVersions: asr,
      handle: (ex) => withVault(world, ex, (vault, key) => reply(200, { value: recoveryPlans(world, health, key, vault) })),
    },
    {
      method: "GET",
      pattern: `${VAULT}/replicationPolicies`,
      operation: "ReplicationPolicies_List",
      apiVersions: asr,
      handle: (ex) => withVault(world, ex, (vault) => reply(200, { value: [policyJson(world.estate, health, vault)] })),
    },
    {
      method: "GET",
      pattern: INSTANCE_VIEW,
      operation: "VirtualMachines_InstanceView",
      apiVersions: API_VERSIONS.compute,
      handle: (ex) => instanceView(world, health, ex),
    },
    {
      method: "GET",
      pattern: VM_AVAILABILITY,
      operation: "AvailabilityStatuses_GetByResource",
      apiVersions: RESOURCE_HEALTH_API_VERSIONS,
      handle: (ex) => availabilityStatus(world, health, ex),
    },
  ];
}

function withVault(world: World, ex: Exchange, then: (vault: Vault, key: string) => SimReply): SimReply {
  const rg = ex.req.params["resourceGroupName"] ?? "";
  const name = ex.req.params["resourceName"] ?? "";
  const found = Object.entries(world.estate.vaults).find(
    ([, v]) => v.resourceGroup.toLowerCase() === rg.toLowerCase() && v.name.toLowerCase() === name.toLowerCase(),
  );
  if (!found) return ex.reject(404, "ResourceNotFound", `The Resource 'Microsoft.RecoveryServices/vaults/${name}' under resource group '${rg}' was not found.`);
  return then(found[1], found[0]);
}

/** Tiers in dependency order, as levels: every tier comes after the tiers it depends on. */
function tierLevels(estate: Estate): string[][] {
  const level = new Map<string, number>();
  const depth = (name: string): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    const deps = estate.tiers.find((t) => t.name === name)?.dependsOn ?? [];
    const d = deps.length === 0 ? 0 : 1 + Math.max(...deps.map(depth));
    level.set(name, d);
    return d;
  };
  const levels: string[][] = [];
  for (const t of estate.tiers) (levels[depth(t.name)] ??= []).push(t.name);
  return levels.filter(Boolean);
}

/**
 * One recovery plan per vault, its Boot groups following the tiers (shape of asr-recoveryplan-get.json).
 * With recoveryPlanDrift, the two first groups that have VMs swap places and the last VM is left out.
 */
function recoveryPlans(world: World, health: HealthWorld, vaultKey: string, vault: Vault): unknown[] {
  const { estate } = world;
  const itemIdOf = (vm: Vm): string | undefined =>
    [...world.items.values()].find((i) => i.vm === vm && !health.isMissing(vm.name) && !health.movedTo(vm.name))?.id;
  let groups: string[][] = tierLevels(estate)
    .map((tiers) => estate.vms.filter((vm) => vm.vault === vaultKey && tiers.includes(vm.tier)).flatMap((vm) => itemIdOf(vm) ?? []))
    .filter((g) => g.length > 0);
  if (groups.length === 0) return [];
  if (health.plan.recoveryPlanDrift) {
    if (groups.length >= 2) groups = [groups[1] as string[], groups[0] as string[], ...groups.slice(2)];
    const last = groups[groups.length - 1] as string[];
    groups[groups.length - 1] = last.slice(0, -1);
  }
  const vaultPath = vaultId(estate.subscriptionId, vault.resourceGroup, vault.name);
  const name = `rp-${estate.name}-${vaultKey}`;
  const group = (groupType: string, ids: readonly string[]) => ({
    groupType,
    replicationProtectedItems: ids.map((id) => ({ id, virtualMachineId: id.split("/").pop() ?? "" })),
    startGroupActions: [],
    endGroupActions: [],
  });
  return [
    {
      id: `${vaultPath}/replicationRecoveryPlans/${name}`,
      name,
      type: "Microsoft.RecoveryServices/vaults/replicationRecoveryPlans",
      properties: {
        friendlyName: name,
        primaryFabricId: `${vaultPath}/replicationFabrics/${vault.fabric}`,
        primaryFabricFriendlyName: vault.fabric,
        recoveryFabricId: "Microsoft Azure",
        recoveryFabricFriendlyName: "Microsoft Azure",
        failoverDeploymentModel: "ResourceManager",
        replicationProviders: [vault.provider],
        allowedOperations: ["UnplannedFailover", "TestFailover"],
        groups: [group("Shutdown", []), group("Failover", []), ...groups.filter((g) => g.length > 0).map((ids) => group("Boot", ids))],
      },
    },
  ];
}

/** The vault's replication policy with the InMageRcm fields (InMageRcmPolicyDetails in the ASR swagger). */
function policyJson(estate: Estate, health: HealthWorld, vault: Vault): unknown {
  const name = `${vault.name}-policy`;
  const retentionDays = health.plan.policyRetentionDays ?? estate.objectives.retentionDays;
  return {
    id: `${vaultId(estate.subscriptionId, vault.resourceGroup, vault.name)}/replicationPolicies/${name}`,
    name,
    type: "Microsoft.RecoveryServices/vaults/replicationPolicies",
    properties: {
      friendlyName: name,
      providerSpecificDetails:
        vault.provider === "InMageRcm"
          ? {
              instanceType: "InMageRcm",
              recoveryPointHistoryInMinutes: retentionDays * 1440,
              appConsistentFrequencyInMinutes: estate.objectives.appConsistentFrequencyMinutes,
              crashConsistentFrequencyInMinutes: 5,
              enableMultiVmSync: "True",
            }
          : {
              instanceType: "InMageAzureV2",
              recoveryPointHistory: retentionDays * 1440,
              appConsistentFrequencyInMinutes: estate.objectives.appConsistentFrequencyMinutes,
              crashConsistentFrequencyInMinutes: 5,
              recoveryPointThresholdInMinutes: estate.objectives.rpoMinutes,
              multiVmSyncStatus: "Enabled",
            },
    },
  };
}

/**
 * AvailabilityStatuses_GetByResource, shaped like the spec's AvailabilityStatus_GetByResource.json
 * (2022-10-01): an Unavailable status carries reasonType, context ('Platform Initiated' in the
 * example), category, reasonChronicity and occuredTime (sic). The spec has no Available example: that
 * one carries only the state, its title and times, and its summary text is this simulator's own. A
 * VM neither the world nor the fault plan holds is ARM's ResourceNotFound (what Resource Health itself
 * answers for a resource that does not exist is not documented).
 */
function availabilityStatus(world: World, health: HealthWorld, ex: Exchange): SimReply {
  const { subscriptionId = "", resourceGroupName = "", vmName = "" } = ex.req.params;
  const vmId = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Compute/virtualMachines/${vmName}`;
  const status = health.resourceHealthOf(vmId);
  if (!status)
    return armError(
      404,
      "ResourceNotFound",
      `The Resource 'Microsoft.Compute/virtualMachines/${vmName}' under resource group '${resourceGroupName}' was not found.`,
    );
  const location = world.vms.get(vmKey(resourceGroupName, vmName))?.location;
  const now = iso(ex.req.now);
  const since = iso(health.start);
  const unavailable = status.availabilityState === "Unavailable";
  return reply(200, {
    id: `${vmId}/providers/Microsoft.ResourceHealth/availabilityStatuses/current`,
    name: "current",
    type: "Microsoft.ResourceHealth/AvailabilityStatuses",
    ...(location ? { location } : {}),
    properties: {
      availabilityState: status.availabilityState,
      title: status.availabilityState,
      summary: unavailable
        ? "We're sorry, we couldn't automatically recover your virtual machine"
        : `The virtual machine is ${status.availabilityState.toLowerCase()} (simulated)`,
      ...(unavailable
        ? { reasonType: "Unplanned", context: status.context ?? "Platform Initiated", category: "Unplanned" }
        : status.context
          ? { context: status.context }
          : {}),
      reasonChronicity: "Persistent",
      occuredTime: since,
      reportedTime: now,
    },
  });
}

/** VirtualMachines_InstanceView (vm-instanceview.json): power state and the VM agent's status. */
function instanceView(world: World, health: HealthWorld, ex: Exchange): SimReply {
  const { resourceGroupName = "", vmName = "" } = ex.req.params;
  const vm = world.vms.get(vmKey(resourceGroupName, vmName));
  if (!vm)
    return armError(
      404,
      "ResourceNotFound",
      `The Resource 'Microsoft.Compute/virtualMachines/${vmName}' under resource group '${resourceGroupName}' was not found.`,
    );
  const notReady = (vm.kind === "targetDc" && health.plan.runCommandUnavailable === true) || lacksVmAgent(world, vm);
  const now = iso(ex.req.now);
  return reply(200, {
    computerName: vm.name,
    osName: vm.os === "windows" ? "Windows Server 2022 Datacenter" : "Ubuntu 22.04",
    vmAgent: {
      vmAgentVersion: vm.os === "windows" ? "2.7.41491.1102" : "2.9.1.1",
      statuses: [
        notReady
          ? { code: "ProvisioningState/Unavailable", level: "Warning", displayStatus: "Not Ready", message: "VM Agent is unresponsive.", time: now }
          : {
              code: "ProvisioningState/succeeded",
              level: "Info",
              displayStatus: "Ready",
              message: "GuestAgent is running and accepting new configurations.",
              time: now,
            },
      ],
      extensionHandlers: [],
    },
    statuses: [
      { code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded", time: now },
      { code: "PowerState/running", level: "Info", displayStatus: "VM running" },
    ],
  });
}
