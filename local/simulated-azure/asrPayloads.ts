import type { Estate } from "../../shared/domain/estate.js";
import { iso } from "./http.js";
import { uuidFrom, vaultId } from "./ids.js";
import { lastDataReceivedOf, latestRecoveryPointOf, type SimRecoveryPoint } from "./recoveryPoints.js";
import { failbackProgressJson } from "./failbackReplication.js";
import { sourceAddressOf } from "./sourceAddresses.js";
import { NO_JOB_START, testVmName, type AsrJob, type ProtectedItem, type Scenario } from "./world.js";

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
  const received = lastDataReceivedOf(item, now);
  const rpoSeconds = Math.round((now.getTime() - received.getTime()) / 1000);
  const targetResourceGroupId = `/subscriptions/${estate.subscriptionId}/resourceGroups/${vault.resourceGroup}`;
  const osType = vm.os === "windows" ? "Windows" : "Linux";
  if (item.reprotected) return failbackDetails(item, estate, now, osType);
  return {
    instanceType: "InMageRcm",
    internalIdentifier: item.internalId,
    fabricDiscoveryMachineId: uuidFrom(`${vm.name}:discovery`),
    // Recorded null for an item without multi-VM consistency; FaultPlan.multiVmGroupOf puts VMs in a group.
    multiVmGroupName: item.multiVmGroup ?? null,
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
    lastRecoveryPointReceived: iso(received),
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
        // Recorded (state A): the vSphere NIC's address and network, as the appliance discovered them.
        sourceIPAddress: sourceAddressOf(estate, vm),
        sourceIPAddressType: "Static",
        sourceNetworkId: "VM Network",
        targetIPAddress: vm.recoveryIp,
        targetIPAddressType: "Static",
        testIPAddress: vm.recoveryIp,
        testIPAddressType: "Static",
      },
    ],
  };
}

/**
 * Recorded InMageRcmFailback details (TestV2ARCMCancelFailover.json / TestV2ARCMFailback.json): no
 * lastRecoveryPointReceived, lastRpoInSeconds or lastRecoveryPointId; vmNics name source addresses only.
 */
function failbackDetails(item: ProtectedItem, estate: Estate, now: Date, osType: string): unknown {
  const { vault, vm } = item;
  return {
    instanceType: "InMageRcmFailback",
    internalIdentifier: uuidFrom(`${item.internalId}:failback`),
    azureVirtualMachineId: vm.recoveryVmId,
    multiVmGroupName: null,
    reprotectAgentId: vault.reprotect?.reprotectAgentId ?? "",
    reprotectAgentName: `${vault.fabric}-appliance`,
    osType,
    logStorageAccountId: vault.reprotect?.logStorageAccountId ?? "",
    targetDataStoreName: vault.reprotect?.datastoreName ?? "",
    targetVmName: vm.name,
    ...failbackProgressJson(item, now),
    resyncRequired: "false",
    resyncState: "None",
    mobilityAgentDetails: {
      version: MOBILITY_AGENT_VERSION,
      latestVersion: null,
      driverVersion: MOBILITY_AGENT_VERSION,
      lastHeartbeatUtc: iso(now),
      reasonsBlockingUpgrade: ["UnsupportedProtectionScenario"],
      isUpgradeable: "false",
    },
    vmNics: [{ macAddress: null, networkName: null, adapterType: null, sourceIpAddress: vm.recoveryIp }],
    lastUsedPolicyId: `${vaultId(estate.subscriptionId, vault.resourceGroup, vault.name)}/replicationPolicies/${vault.name}-policy`,
    // Recorded in state E/F once a planned failover back was made.
    ...(item.failback?.plannedFailoverStartTime
      ? { lastPlannedFailoverStartTime: item.failback.plannedFailoverStartTime, lastPlannedFailoverStatus: item.failback.plannedFailoverStatus ?? "Unknown" }
      : {}),
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
      // Multi-VM consistency makes the group's points consistent across its VMs (Microsoft docs, "multi-VM
      // consistency"); here a grouped item's app-consistent points, on the same clock boundaries for every VM, are its sync points.
      providerSpecificDetails: {
        instanceType: item.vault.provider,
        isMultiVmSyncPoint: item.multiVmGroup && point.type === "AppConsistent" ? "True" : "False",
      },
    },
  };
}

/** Job names and tasks as recorded for each InMageRcm operation (asr-inmagercm-recorded.md); "Other"/"Skipped" as recorded for the shutdown a site failover does not do. */
const FRIENDLY: Record<Scenario, { job: string; tasks: readonly { name: string; friendlyName: string; skipped?: boolean }[] }> = {
  UnplannedFailover: {
    job: "Failover",
    tasks: [
      { name: "VmUfoPrerequisitesCheck", friendlyName: "Prerequisites check for failover" },
      { name: "VmShutdownVmOnPrimary", friendlyName: "Shut down the virtual machine", skipped: true },
      { name: "VmFailover", friendlyName: "Start failover" },
      { name: "VmFoStartVmOnSecondary", friendlyName: "Starting Azure virtual machine" },
    ],
  },
  TestFailover: {
    job: "Test failover",
    tasks: [
      { name: "VmTfoPrerequisitesCheck", friendlyName: "Prerequisites check for test failover" },
      { name: "VmTfoInitiateFailover", friendlyName: "Starting test failover" },
      { name: "VmTfoPrepareTestVm", friendlyName: "Creating test virtual machine" },
      { name: "VmTfoBootTestVm", friendlyName: "Start the virtual machine" },
    ],
  },
  CommitFailover: {
    job: "Commit",
    tasks: [
      { name: "VmCommitPrerequisitesCheck", friendlyName: "Prerequisite check" },
      { name: "VmCommit", friendlyName: "Commit" },
    ],
  },
  TestFailoverCleanup: {
    job: "Test failover cleanup",
    tasks: [
      { name: "VmTfoCleanupPreflightsCheck", friendlyName: "Prerequisites check for test failover cleanup" },
      { name: "VmTfoEndFailover", friendlyName: "Ending test failover" },
      { name: "VmTfoDeleteTestVm", friendlyName: "Clean up the test virtual machine" },
    ],
  },
  SwitchReplicationGroupProtection: {
    job: "Reprotect",
    tasks: [
      { name: "SwitchReplicationGroupProtectionPreflightTask", friendlyName: "Prerequisite check" },
      { name: "VmCommitFailover", friendlyName: "Committing failover" },
      { name: "DiscoverReplicaTask", friendlyName: "Discovering replica virtual machine" },
      { name: "GetSwitchProtectionRequirementsTask", friendlyName: "Getting reprotection requirements" },
      { name: "ProtectReplicaTask", friendlyName: "Reprotecting virtual machine" },
    ],
  },
  // Recorded (TestV2ARCMFailback.json, job 8a30cd0a-…): friendlyName "Planned failover" and these five tasks.
  PlannedFailover: {
    job: "Planned failover",
    tasks: [
      { name: "VmPfoPrerequisitesCheck", friendlyName: "Prerequisites check for planned failover" },
      { name: "VmPrepareForFailover", friendlyName: "Start failover" },
      { name: "VmFailover", friendlyName: "Shut down the Azure virtual machine" },
      { name: "VmPrepareProtectedEntitiesTask", friendlyName: "Preparing on-premise virtual machine" },
      { name: "VmFoStartVmOnSecondary", friendlyName: "Starting on-premise virtual machine" },
    ],
  },
};

export function jobError(job: AsrJob): { code: string; message: string; possibleCauses: string; recommendedAction: string } {
  const vmName = job.item.vm.name;
  if (job.scenario === "SwitchReplicationGroupProtection") {
    return {
      code: "78084",
      message: `Reprotect of the virtual machine '${vmName}' failed: the on-premises appliance of fabric '${job.item.vault.fabric}' is not reachable.`,
      possibleCauses: "The replication appliance is offline or cannot reach Azure Site Recovery (simulated fault).",
      recommendedAction: "Bring the on-premises appliance back online and check its connectivity, then retry the reprotect.",
    };
  }
  if (job.scenario === "PlannedFailover") {
    // No failed failback was recorded: code and text are the simulator's own.
    return {
      code: "70094",
      message: `Planned failover of the virtual machine '${vmName}' to the on-premises site failed.`,
      possibleCauses: `The on-premises virtual machine could not be started on datastore '${job.item.vault.reprotect?.datastoreName ?? "(unknown)"}' (simulated fault).`,
      recommendedAction: "Check the vCenter and the datastore, then retry the planned failover.",
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
  const running = job.state === "InProgress" || job.state === "Suspended";
  const taskJson = tasks.map((task, i) => {
    const start = new Date(job.startTime.getTime() + (total * i) / tasks.length);
    const end = new Date(job.startTime.getTime() + (total * (i + 1)) / tasks.length);
    const last = i === tasks.length - 1;
    const state = task.skipped
      ? "Other"
      : running
        ? elapsed >= (total * (i + 1)) / tasks.length && !(job.state === "Suspended" && last)
          ? "Succeeded"
          : elapsed >= (total * i) / tasks.length
            ? "InProgress"
            : "NotStarted"
        : job.state === "Failed" && last
          ? "Failed"
          : "Succeeded";
    return {
      taskId: uuidFrom(`${job.name}:task:${i}`),
      name: task.name,
      // Recorded: tasks not started or not finished carry the time 0001-01-01T00:00:00.
      startTime: state === "NotStarted" || state === "Other" ? UNSET_TIME : iso(start),
      endTime: state === "Succeeded" || state === "Failed" ? iso(end) : UNSET_TIME,
      allowedActions: [],
      friendlyName: task.friendlyName,
      state,
      stateDescription: state === "Succeeded" ? "Completed" : state === "Other" ? "Skipped" : state,
      taskType: "TaskDetails",
      customDetails: { instanceType: "TaskDetails" },
      errors: [],
    };
  });
  const error = job.state === "Failed" || job.stateDescription === "PartiallySucceeded" ? jobError(job) : undefined;
  return {
    id: job.id,
    name: job.name,
    type: "Microsoft.RecoveryServices/vaults/replicationJobs",
    properties: {
      activityId: `${uuidFrom(`${job.name}:activity`)} ActivityId: ${uuidFrom(`${job.name}:activity2`)}`,
      scenarioName: job.scenario,
      friendlyName: `${FRIENDLY[job.scenario].job}`,
      state: job.state,
      stateDescription: job.stateDescription,
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
              errorLevel: job.state === "Failed" ? "Error" : "Warning",
              creationTime: iso(job.endTime ?? job.endsAt),
              taskId: uuidFrom(`${job.name}:task:${tasks.length - 1}`),
            },
          ]
        : [],
      startTime: iso(job.startTime),
      // Recorded: endTime is absent until the job has finished; allowedActions is ["Cancel"] while it runs.
      ...(job.endTime ? { endTime: iso(job.endTime) } : {}),
      allowedActions: running ? ["Cancel"] : job.state === "Failed" ? ["Restart"] : [],
      targetObjectId: job.item.internalId,
      targetObjectName: job.item.vm.name,
      targetInstanceType: "ProtectionEntity",
      customDetails: jobDetails(job),
    },
  };
}

const UNSET_TIME = "0001-01-01T00:00:00";

/** customDetails per job, as recorded: FailoverJobDetails, TestFailoverJobDetails, AsrJobDetails, SwitchProtectionJobDetails. */
function jobDetails(job: AsrJob): unknown {
  const item = job.item;
  const affectedObjectDetails = {
    primaryVmName: item.vm.name,
    recoveryVmName: item.vm.name,
    primaryFabricProviderId: item.vault.provider,
    recoveryFabricProviderId: "Azure",
  };
  switch (job.scenario) {
    case "UnplannedFailover":
    case "PlannedFailover":
      // Recorded for both: FailoverJobDetails with protectedItemDetails empty.
      return { instanceType: "FailoverJobDetails", protectedItemDetails: [], affectedObjectDetails };
    case "TestFailover": {
      // Recorded: protectedItemDetails is filled only once the job has succeeded; `name` is the item's internal id.
      const network = lastIdSegment(item.vault.testNetworkId);
      const point = job.recoveryPointId ? lastIdSegment(job.recoveryPointId) : null;
      const details =
        job.state === "Succeeded"
          ? [
              {
                name: item.internalId,
                friendlyName: item.vm.name,
                testVmName: testVmName(item.vm),
                testVmFriendlyName: testVmName(item.vm),
                networkConnectionStatus: "Disconnected",
                networkFriendlyName: "",
                subnet: null,
                recoveryPointId: point,
                recoveryPointTime: iso(job.startTime),
              },
            ]
          : [];
      return {
        instanceType: "TestFailoverJobDetails",
        testFailoverStatus: "Active",
        comments: null,
        networkName: network,
        networkFriendlyName: network,
        networkType: "VmNetworkAsInput",
        protectedItemDetails: details,
        affectedObjectDetails,
      };
    }
    case "TestFailoverCleanup":
      return {
        instanceType: "TestFailoverJobDetails",
        testFailoverStatus: null,
        comments: "",
        networkName: null,
        networkFriendlyName: null,
        networkType: null,
        protectedItemDetails: [],
        affectedObjectDetails,
      };
    case "CommitFailover":
      return { instanceType: "AsrJobDetails", affectedObjectDetails };
    case "SwitchReplicationGroupProtection":
      return { newReplicationProtectedItemId: null, instanceType: "SwitchProtectionJobDetails", affectedObjectDetails };
  }
}

function lastIdSegment(id: string): string {
  return id.split("/").filter(Boolean).pop() ?? id;
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
