import type { Estate } from "../../shared/domain/estate.js";
import { iso } from "./http.js";
import { uuidFrom, vaultId } from "./ids.js";
import { latestRecoveryPointOf, type SimRecoveryPoint } from "./recoveryPoints.js";
import { NO_JOB_START, type AsrJob, type ProtectedItem, type Scenario } from "./world.js";

const ITEM_TYPE = "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems";
const MOBILITY_AGENT_VERSION = "9.62.7172.1";

/** A replication protected item shaped like asr-protecteditem-*.json, with VMware-to-Azure provider details. */
export function protectedItemJson(item: ProtectedItem, estate: Estate, now: Date): unknown {
  const { vault, vm } = item;
  const vaultPath = vaultId(estate.subscriptionId, vault.resourceGroup, vault.name);
  const fabricPath = `${vaultPath}/replicationFabrics/${vault.fabric}`;
  const containerPath = `${fabricPath}/replicationProtectionContainers/${vault.protectionContainer}`;
  return {
    id: item.id,
    name: vm.protectedItem,
    type: ITEM_TYPE,
    location: vault.region,
    properties: {
      friendlyName: vm.name,
      protectedItemType: "VMwareVirtualMachine",
      protectableItemId: `${containerPath}/replicationProtectableItems/${item.internalId}`,
      recoveryServicesProviderId: `${fabricPath}/replicationRecoveryServicesProviders/${uuidFrom(`${vault.fabric}:appliance`)}`,
      primaryFabricFriendlyName: vault.fabric,
      primaryFabricProvider: vault.provider === "InMageRcm" ? "InMageRcmFabric" : "VMware",
      recoveryFabricFriendlyName: "Microsoft Azure",
      recoveryFabricId: "Microsoft Azure",
      primaryProtectionContainerFriendlyName: vault.protectionContainer,
      recoveryProtectionContainerFriendlyName: "Microsoft Azure",
      protectionState: item.protectionState,
      protectionStateDescription: item.protectionStateDescription,
      activeLocation: item.activeLocation,
      testFailoverState: item.testFailoverState,
      testFailoverStateDescription: item.testFailoverStateDescription,
      allowedOperations: [...item.allowedOperations],
      replicationHealth: item.replicationHealth,
      failoverHealth: "Normal",
      healthErrors: [],
      policyId: `${vaultPath}/replicationPolicies/${vault.name}-policy`,
      policyFriendlyName: `${vault.name}-policy`,
      ...(item.lastSuccessfulFailoverTime ? { lastSuccessfulFailoverTime: iso(item.lastSuccessfulFailoverTime) } : {}),
      ...(item.lastSuccessfulTestFailoverTime ? { lastSuccessfulTestFailoverTime: iso(item.lastSuccessfulTestFailoverTime) } : {}),
      currentScenario: {
        scenarioName: item.currentScenario.scenarioName,
        jobId: item.currentScenario.jobId,
        startTime: iso(item.currentScenario.startTime ?? NO_JOB_START),
      },
      ...(item.failoverRecoveryPointId ? { failoverRecoveryPointId: item.failoverRecoveryPointId } : {}),
      providerSpecificDetails: providerDetails(item, estate, now),
      recoveryContainerId: `${vaultPath}/replicationFabrics/${uuidFrom(`${vault.name}:azure-fabric`)}/replicationProtectionContainers/${uuidFrom(`${vault.name}:azure-container`)}`,
    },
  };
}

function providerDetails(item: ProtectedItem, estate: Estate, now: Date): unknown {
  const { vault, vm } = item;
  const latest = latestRecoveryPointOf(item, estate, now);
  const latestTime = latest.time;
  const rpoSeconds = Math.round((now.getTime() - latestTime.getTime()) / 1000);
  const targetResourceGroupId = `/subscriptions/${estate.subscriptionId}/resourceGroups/${vault.resourceGroup}`;
  const osType = vm.os === "windows" ? "Windows" : "Linux";
  if (vault.provider === "InMageAzureV2") {
    return {
      instanceType: "InMageAzureV2",
      infrastructureVmId: item.internalId,
      osType,
      agentVersion: MOBILITY_AGENT_VERSION,
      isAgentUpdateRequired: "false",
      rpoInSeconds: rpoSeconds,
      lastRpoCalculatedTime: iso(now),
      lastHeartbeat: iso(now),
      recoveryAzureVMName: vm.name,
      recoveryAzureResourceGroupId: targetResourceGroupId,
      selectedRecoveryAzureNetworkId: vault.testNetworkId,
    };
  }
  return {
    instanceType: "InMageRcm",
    internalIdentifier: item.internalId,
    fabricDiscoveryMachineId: uuidFrom(`${vm.name}:discovery`),
    multiVmGroupName: vm.tier,
    discoveryType: "vCenter",
    processServerName: `${vault.fabric}-appliance`,
    osType,
    firmwareType: "BIOS",
    targetGeneration: "V1",
    licenseType: "NoLicenseType",
    targetVmName: vm.name,
    targetVmSize: "Standard_D4s_v5",
    targetResourceGroupId,
    targetLocation: vault.region,
    testNetworkId: vault.testNetworkId,
    ...(item.failoverRecoveryPointId ? { failoverRecoveryPointId: item.failoverRecoveryPointId } : {}),
    lastRecoveryPointReceived: iso(latestTime),
    lastRpoInSeconds: rpoSeconds,
    lastRpoCalculatedTime: iso(now),
    lastRecoveryPointId: latest.id,
    initialReplicationProgressPercentage: 100,
    resyncRequired: "false",
    resyncState: "None",
    agentUpgradeState: "None",
    isLastUpgradeSuccessful: "true",
    mobilityAgentDetails: {
      version: MOBILITY_AGENT_VERSION,
      latestVersion: MOBILITY_AGENT_VERSION,
      lastHeartbeatUtc: iso(item.replicationFrozenAt ?? now),
      isUpgradeable: "false",
    },
    vmNics: [
      {
        nicId: uuidFrom(`${vm.name}:nic0`),
        isPrimaryNic: "true",
        isSelectedForFailover: "true",
        targetIPAddress: vm.recoveryIp,
        targetIPAddressType: "Static",
        testIPAddress: vm.recoveryIp,
        testIPAddressType: "Static",
      },
    ],
  };
}

export function recoveryPointJson(point: SimRecoveryPoint, item: ProtectedItem): unknown {
  return {
    name: point.name,
    type: `${ITEM_TYPE}/recoveryPoints`,
    id: point.id,
    properties: {
      recoveryPointTime: iso(point.time),
      recoveryPointType: point.type,
      providerSpecificDetails: { instanceType: item.vault.provider, isMultiVmSyncPoint: "False" },
    },
  };
}

const FRIENDLY: Record<Scenario, { job: string; tasks: readonly string[] }> = {
  UnplannedFailover: { job: "Failover", tasks: ["Prerequisites check for failover", "Create the replica virtual machine", "Start the replica virtual machine"] },
  TestFailover: { job: "Test failover", tasks: ["Prerequisites check for test failover", "Create the test virtual machine", "Start the test virtual machine"] },
  FailoverCommit: { job: "Commit", tasks: ["Prerequisites check for commit", "Commit the failover"] },
  TestFailoverCleanup: { job: "Cleanup test failover", tasks: ["Prerequisites check for cleanup", "Delete the test virtual machine"] },
  Reprotect: { job: "Reprotect", tasks: ["Prerequisites check for reprotect", "Set up reverse replication", "Start initial replication"] },
};

export function jobError(job: AsrJob): { code: string; message: string; possibleCauses: string; recommendedAction: string } {
  const vmName = job.item.vm.name;
  if (job.scenario === "Reprotect") {
    return {
      code: "78084",
      message: `Reprotect of the virtual machine '${vmName}' failed: the on-premises appliance of fabric '${job.item.vault.fabric}' is not reachable.`,
      possibleCauses: "The replication appliance is offline or cannot reach Azure Site Recovery (simulated fault).",
      recommendedAction: "Bring the on-premises appliance back online and check its connectivity, then retry the reprotect.",
    };
  }
  return {
    code: "70094",
    message: `${FRIENDLY[job.scenario].job} of the virtual machine '${vmName}' failed.`,
    possibleCauses: `The replica virtual machine could not be started: the allocation of size Standard_D4s_v5 failed in '${job.item.vault.region}' (simulated fault).`,
    recommendedAction: "Retry the operation. If it fails again, choose another target size or recovery point.",
  };
}

/** A replication job shaped like asr-job-get.json; tasks progress with the simulated clock. */
export function jobJson(job: AsrJob, now: Date): unknown {
  const tasks = FRIENDLY[job.scenario].tasks;
  const total = job.endsAt.getTime() - job.startTime.getTime();
  const elapsed = Math.min(now.getTime(), job.endsAt.getTime()) - job.startTime.getTime();
  const taskJson = tasks.map((name, i) => {
    const start = new Date(job.startTime.getTime() + (total * i) / tasks.length);
    const end = new Date(job.startTime.getTime() + (total * (i + 1)) / tasks.length);
    const last = i === tasks.length - 1;
    const state =
      job.state === "InProgress"
        ? elapsed >= (total * (i + 1)) / tasks.length ? "Succeeded" : elapsed >= (total * i) / tasks.length ? "InProgress" : "NotStarted"
        : job.state === "Failed" && last ? "Failed" : "Succeeded";
    return {
      taskId: uuidFrom(`${job.name}:task:${i}`),
      name: name.replace(/[^A-Za-z]/g, ""),
      ...(state === "NotStarted" ? {} : { startTime: iso(start) }),
      ...(state === "Succeeded" || state === "Failed" ? { endTime: iso(end) } : {}),
      allowedActions: [],
      friendlyName: name,
      state,
      stateDescription: state === "Succeeded" ? "Completed" : state,
      taskType: "TaskDetails",
      customDetails: { instanceType: "VirtualMachineTaskDetails" },
      errors: [],
    };
  });
  const error = job.state === "Failed" ? jobError(job) : undefined;
  return {
    id: job.id,
    name: job.name,
    type: "Microsoft.RecoveryServices/vaults/replicationJobs",
    properties: {
      activityId: `${uuidFrom(`${job.name}:activity`)} ActivityId: ${uuidFrom(`${job.name}:activity2`)}`,
      scenarioName: job.scenario,
      friendlyName: `${FRIENDLY[job.scenario].job}`,
      state: job.state,
      stateDescription: job.state === "Succeeded" ? "Completed" : job.state,
      tasks: taskJson,
      errors: error
        ? [
            {
              serviceErrorDetails: { ...error, activityId: uuidFrom(`${job.name}:activity`) },
              providerErrorDetails: {
                errorCode: Number(error.code),
                errorMessage: error.message,
                errorId: uuidFrom(`${job.name}:error`),
                possibleCauses: error.possibleCauses,
                recommendedAction: error.recommendedAction,
              },
              errorLevel: "Error",
              creationTime: iso(job.endTime ?? job.endsAt),
              taskId: uuidFrom(`${job.name}:task:${tasks.length - 1}`),
            },
          ]
        : [],
      startTime: iso(job.startTime),
      ...(job.endTime ? { endTime: iso(job.endTime) } : {}),
      allowedActions: job.state === "InProgress" ? ["Cancel"] : job.state === "Failed" ? ["Restart"] : [],
      targetObjectId: job.item.internalId,
      targetObjectName: job.item.vm.name,
      targetInstanceType: "ProtectionEntity",
      customDetails: {
        instanceType: "AsrJobDetails",
        affectedObjectDetails: {
          PrimaryFabricProviderId: job.item.vault.provider,
          RecoveryFabricProviderId: "Azure",
          ProtectedItemName: job.item.vm.protectedItem,
        },
      },
    },
  };
}

/** ARM asynchronous-operation status (what Azure-AsyncOperation points at). */
export function asyncStatusJson(job: AsrJob, statusPath: string): unknown {
  return {
    id: statusPath,
    name: job.name,
    status: job.state,
    startTime: iso(job.startTime),
    ...(job.endTime ? { endTime: iso(job.endTime) } : {}),
    ...(job.state === "Failed" ? { error: { code: jobError(job).code, message: jobError(job).message } } : {}),
  };
}
