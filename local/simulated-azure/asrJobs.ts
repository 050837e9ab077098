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

/** How an item shows each kind of job while it runs. */
const IN_PROGRESS: Record<Scenario, Partial<Pick<ProtectedItem, "protectionStateDescription" | "testFailoverState" | "testFailoverStateDescription">>> = {
  UnplannedFailover: { protectionStateDescription: "Failover in progress" },
  TestFailover: { testFailoverState: "InProgress", testFailoverStateDescription: "Test failover in progress" },
  FailoverCommit: { protectionStateDescription: "Commit in progress" },
  TestFailoverCleanup: { testFailoverState: "MarkedForDeletion", testFailoverStateDescription: "Cleaning up test environment" },
  Reprotect: { protectionStateDescription: "Reprotect in progress" },
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
  Object.assign(item, IN_PROGRESS[scenario]);
  // Replication stops when an unplanned failover starts: no newer recovery points from now on.
  if (scenario === "UnplannedFailover") item.replicationFrozenAt = now;
  return job;
}

/** Applies the end state of a job whose time has come, like the ASR samples show it. */
export function finishJob(world: World, job: AsrJob): void {
  const item = job.item;
  job.state = job.outcome;
  job.endTime = job.endsAt;
  if (job.outcome === "Failed") {
    // A failed reprotect leaves the item failed over and committed, so it can be tried again.
    if (job.scenario === "Reprotect") return committed(world, item);
    backToProtected(world, item);
    return;
  }
  switch (job.scenario) {
    case "UnplannedFailover":
      item.activeLocation = "Recovery";
      atRest(world, item, "UnplannedFailoverCommitPendingStatesBegin", "Failover completed", ["Commit", "ChangePit", "DisableProtection"]);
      recordRecovery(world, job, "recovered");
      break;
    case "TestFailover":
      // asr-protecteditem-testfailover.json: the scenario stays TestFailover until the cleanup.
      item.protectionStateDescription = "Cleanup test failover pending";
      item.testFailoverState = "WaitingForCompletion";
      item.testFailoverStateDescription = "Waiting for user input";
      item.allowedOperations = ["TestFailoverCleanup"];
      recordRecovery(world, job, "test");
      break;
    case "FailoverCommit":
      committed(world, item);
      break;
    case "TestFailoverCleanup": {
      const { resourceGroup } = parseResourceId(item.vm.recoveryVmId);
      world.vms.delete(vmKey(resourceGroup, testVmName(item.vm)));
      backToProtected(world, item);
      break;
    }
    case "Reprotect":
      // The Azure VM now replicates back to vSphere; failback is a planned failover once in sync.
      atRest(world, item, "Protected", "Protected (reverse replication to the on-premises site)", ["PlannedFailover", "DisableProtection"]);
      item.reprotected = true;
      break;
  }
}

/** An item no job is running on: its protection state, the operations it allows next, and no current scenario. */
function atRest(world: World, item: ProtectedItem, state: string, description: string, allowedOperations: string[]): void {
  item.protectionState = state;
  item.protectionStateDescription = description;
  item.allowedOperations = allowedOperations;
  item.currentScenario = noneScenario(item, world.estate.subscriptionId);
}

/** Failed over and committed: the only way on is a reprotect. */
function committed(world: World, item: ProtectedItem): void {
  atRest(world, item, "UnplannedFailoverCommitted", "Failover committed", ["Reprotect", "DisableProtection"]);
}

function backToProtected(world: World, item: ProtectedItem): void {
  atRest(world, item, "Protected", "Protected", [...PROTECTED_ALLOWED_OPERATIONS]);
  item.activeLocation = "Primary";
  item.testFailoverState = "None";
  item.testFailoverStateDescription = "None";
  item.replicationFrozenAt = undefined;
}

/** A (test) failover succeeded: the item records when and from which recovery point, and the recovered VM appears. */
function recordRecovery(world: World, job: AsrJob, kind: "recovered" | "test"): void {
  const item = job.item;
  if (kind === "test") item.lastSuccessfulTestFailoverTime = job.endsAt;
  else item.lastSuccessfulFailoverTime = job.endsAt;
  item.failoverRecoveryPointId = job.recoveryPointId;
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
