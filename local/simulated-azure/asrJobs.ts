import { vaultId } from "./ids.js";
import {
  addVm,
  noneScenario,
  parseResourceId,
  PROTECTED_ALLOWED_OPERATIONS,
  testVmName,
  vmKey,
  type AsrJob,
  type ProtectedItem,
  type Scenario,
  type World,
} from "./world.js";

/** The operation name in allowedOperations that each scenario needs. */
export const REQUIRED_OPERATION: Record<Scenario, string> = {
  UnplannedFailover: "UnplannedFailover",
  TestFailover: "TestFailover",
  FailoverCommit: "Commit",
  TestFailoverCleanup: "TestFailoverCleanup",
  Reprotect: "Reprotect",
};

function durationOf(world: World, scenario: Scenario): number {
  const d = world.durations;
  switch (scenario) {
    case "UnplannedFailover":
      return d.failoverMs;
    case "TestFailover":
      return d.testFailoverMs;
    case "FailoverCommit":
      return d.commitMs;
    case "TestFailoverCleanup":
      return d.testCleanupMs;
    case "Reprotect":
      return d.reprotectMs;
  }
}

/** Starts an ASR job on an item whose allowedOperations permit it (the caller checked) and shows it on the item. */
export function startJob(world: World, item: ProtectedItem, scenario: Scenario, now: Date, apiVersion: string, recoveryPointId?: string): AsrJob {
  const isFailover = scenario === "UnplannedFailover" || scenario === "TestFailover";
  const failsByFault =
    (isFailover && item.failoverJobsStarted === 0 && (world.faults.failFirstFailoverJobOf ?? []).includes(item.vm.name)) ||
    (scenario === "Reprotect" && world.faults.onPremisesUnreachable === true);
  if (isFailover) item.failoverJobsStarted += 1;
  const name = world.ids.uuid("job");
  const job: AsrJob = {
    name,
    id: `${vaultId(world.estate.subscriptionId, item.vault.resourceGroup, item.vault.name)}/replicationJobs/${name}`,
    seq: world.nextSeq(),
    item,
    scenario,
    startTime: now,
    endsAt: new Date(now.getTime() + durationOf(world, scenario)),
    apiVersion,
    outcome: failsByFault ? "Failed" : "Succeeded",
    recoveryPointId,
    state: "InProgress",
    endTime: undefined,
  };
  world.jobs.set(name.toLowerCase(), job);
  item.currentScenario = { scenarioName: scenario, jobId: job.id, startTime: now };
  item.allowedOperations = [];
  switch (scenario) {
    case "UnplannedFailover":
      item.protectionStateDescription = "Failover in progress";
      item.replicationFrozenAt = now;
      break;
    case "TestFailover":
      item.testFailoverState = "InProgress";
      item.testFailoverStateDescription = "Test failover in progress";
      break;
    case "FailoverCommit":
      item.protectionStateDescription = "Commit in progress";
      break;
    case "TestFailoverCleanup":
      item.testFailoverState = "MarkedForDeletion";
      item.testFailoverStateDescription = "Cleaning up test environment";
      break;
    case "Reprotect":
      item.protectionStateDescription = "Reprotect in progress";
      break;
  }
  return job;
}

/** Applies the end state of a job whose time has come, like the ASR samples show it. */
export function finishJob(world: World, job: AsrJob): void {
  const item = job.item;
  job.state = job.outcome;
  job.endTime = job.endsAt;
  if (job.outcome === "Failed") {
    if (job.scenario === "Reprotect") return reprotectFailed(world, item);
    backToProtected(world, item);
    return;
  }
  switch (job.scenario) {
    case "UnplannedFailover":
      item.protectionState = "UnplannedFailoverCommitPendingStatesBegin";
      item.protectionStateDescription = "Failover completed";
      item.activeLocation = "Recovery";
      item.allowedOperations = ["Commit", "ChangePit", "DisableProtection"];
      item.currentScenario = noneScenario(item, world.estate.subscriptionId);
      item.lastSuccessfulFailoverTime = job.endsAt;
      item.failoverRecoveryPointId = job.recoveryPointId;
      addRecoveredVm(world, item, "recovered");
      break;
    case "TestFailover":
      // asr-protecteditem-testfailover.json: the scenario stays TestFailover until the cleanup.
      item.protectionStateDescription = "Cleanup test failover pending";
      item.testFailoverState = "WaitingForCompletion";
      item.testFailoverStateDescription = "Waiting for user input";
      item.allowedOperations = ["TestFailoverCleanup"];
      item.lastSuccessfulTestFailoverTime = job.endsAt;
      item.failoverRecoveryPointId = job.recoveryPointId;
      addRecoveredVm(world, item, "test");
      break;
    case "FailoverCommit":
      item.protectionState = "UnplannedFailoverCommitted";
      item.protectionStateDescription = "Failover committed";
      item.allowedOperations = ["Reprotect", "DisableProtection"];
      item.currentScenario = noneScenario(item, world.estate.subscriptionId);
      break;
    case "TestFailoverCleanup": {
      const { resourceGroup } = parseResourceId(item.vm.recoveryVmId);
      world.vms.delete(vmKey(resourceGroup, testVmName(item.vm)));
      backToProtected(world, item);
      break;
    }
    case "Reprotect":
      // The Azure VM now replicates back to vSphere; failback is a planned failover once in sync.
      item.protectionState = "Protected";
      item.protectionStateDescription = "Protected (reverse replication to the on-premises site)";
      item.allowedOperations = ["PlannedFailover", "DisableProtection"];
      item.currentScenario = noneScenario(item, world.estate.subscriptionId);
      item.reprotected = true;
      break;
  }
}

/** A failed reprotect leaves the item failed over and committed, so it can be tried again. */
function reprotectFailed(world: World, item: ProtectedItem): void {
  item.protectionState = "UnplannedFailoverCommitted";
  item.protectionStateDescription = "Failover committed";
  item.allowedOperations = ["Reprotect", "DisableProtection"];
  item.currentScenario = noneScenario(item, world.estate.subscriptionId);
}

function backToProtected(world: World, item: ProtectedItem): void {
  item.protectionState = "Protected";
  item.protectionStateDescription = "Protected";
  item.activeLocation = "Primary";
  item.testFailoverState = "None";
  item.testFailoverStateDescription = "None";
  item.allowedOperations = [...PROTECTED_ALLOWED_OPERATIONS];
  item.currentScenario = noneScenario(item, world.estate.subscriptionId);
  item.replicationFrozenAt = undefined;
}

function addRecoveredVm(world: World, item: ProtectedItem, kind: "recovered" | "test"): void {
  const { resourceGroup, name } = parseResourceId(item.vm.recoveryVmId);
  const vmName = kind === "test" ? testVmName(item.vm) : name;
  const base = item.vm.recoveryVmId.slice(0, item.vm.recoveryVmId.length - name.length);
  addVm(world, {
    id: `${base}${vmName}`,
    name: vmName,
    resourceGroup,
    location: item.vault.region,
    os: item.vm.os,
    kind,
    source: item.vm,
  });
}
