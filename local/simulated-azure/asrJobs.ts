import { startFailbackSync } from "./failbackReplication.js";
import { uuidFrom, vaultId } from "./ids.js";
import {
  addVm,
  noneScenario,
  parseResourceId,
  PROTECTED_ALLOWED_OPERATIONS,
  testVmName,
  vmKey,
  type AsrJob,
  type JobOutcome,
  type ProtectedItem,
  type Scenario,
  type World,
} from "./world.js";

/**
 * The operation in allowedOperations each job needs. Recorded for InMageRcm (asr-inmagercm-recorded.md):
 * a reprotect is offered as SwitchProtection (there is no "Reprotect" operation) and runs as the
 * SwitchReplicationGroupProtection job; a commit runs as CommitFailover.
 */
export const REQUIRED_OPERATION: Record<Scenario, string> = {
  UnplannedFailover: "UnplannedFailover",
  TestFailover: "TestFailover",
  CommitFailover: "Commit",
  TestFailoverCleanup: "TestFailoverCleanup",
  SwitchReplicationGroupProtection: "SwitchProtection",
  // Recorded state F: a reprotected item offers its failback as PlannedFailover; its job runs as PlannedFailover.
  PlannedFailover: "PlannedFailover",
};

/**
 * How an item shows each kind of job while it runs. The recordings never read an item while a job
 * runs (the client only polls the job), so these descriptions are not evidence-based; the product
 * reads only currentScenario and allowedOperations (emptied while a job runs) at such times.
 */
const IN_PROGRESS: Record<Scenario, Partial<Pick<ProtectedItem, "protectionStateDescription" | "testFailoverState" | "testFailoverStateDescription">>> = {
  UnplannedFailover: { protectionStateDescription: "Failover in progress" },
  TestFailover: { testFailoverState: "InProgress", testFailoverStateDescription: "Test failover in progress" },
  CommitFailover: { protectionStateDescription: "Commit in progress" },
  TestFailoverCleanup: { testFailoverState: "MarkedForDeletion", testFailoverStateDescription: "Cleaning up test environment" },
  SwitchReplicationGroupProtection: { protectionStateDescription: "Reprotect in progress" },
  PlannedFailover: { protectionStateDescription: "Planned failover in progress" },
};

function durationOf(world: World, scenario: Scenario, latestPoint: boolean): number {
  const d = world.durations;
  switch (scenario) {
    case "UnplannedFailover":
      // ASR's "Latest (lowest RPO)" first processes all pending data into a point (learn.microsoft.com site-recovery-failover).
      return d.failoverMs + (latestPoint ? d.latestPointProcessingMs : 0);
    case "TestFailover":
      return d.testFailoverMs + (latestPoint ? d.latestPointProcessingMs : 0);
    case "CommitFailover":
      return d.commitMs;
    case "TestFailoverCleanup":
      return d.testCleanupMs;
    case "SwitchReplicationGroupProtection":
      return d.reprotectMs;
    case "PlannedFailover":
      // Not recorded to its end (one InProgress poll); a planned failover back takes about as long as one to Azure here.
      return d.failoverMs;
  }
}

/** What a job will end as, decided when it starts from the fault plan. */
function outcomeOf(world: World, item: ProtectedItem, scenario: Scenario): JobOutcome {
  const f = world.faults;
  const isFailover = scenario === "UnplannedFailover" || scenario === "TestFailover";
  const vm = item.vm.name;
  if (isFailover && item.failoverJobsStarted === 0 && (f.failFirstFailoverJobOf ?? []).includes(vm)) return "Failed";
  if (scenario === "SwitchReplicationGroupProtection" && f.onPremisesUnreachable === true && !item.reprotected) return "Failed";
  if (scenario === "PlannedFailover" && (item.failback?.plannedFailoverJobsStarted ?? 0) === 0 && (f.failFirstFailbackOf ?? []).includes(vm)) return "Failed";
  if (scenario === "UnplannedFailover" && (f.partiallySucceededFailoverOf ?? []).includes(vm)) return "PartiallySucceeded";
  if (scenario === "UnplannedFailover" && (f.suspendedFailoverOf ?? []).includes(vm)) return "Suspended";
  return "Succeeded";
}

/** Starts an ASR job on an item whose allowedOperations permit it (the caller checked) and shows it on the item. */
export function startJob(world: World, item: ProtectedItem, scenario: Scenario, now: Date, apiVersion: string, recoveryPointId?: string): AsrJob {
  const isFailover = scenario === "UnplannedFailover" || scenario === "TestFailover";
  const outcome = outcomeOf(world, item, scenario);
  if (isFailover) item.failoverJobsStarted += 1;
  if (scenario === "PlannedFailover" && item.failback) {
    item.failback.plannedFailoverJobsStarted += 1;
    item.failback.plannedFailoverStartTime = now.toISOString();
    item.failback.plannedFailoverStatus = "InProgress";
  }
  const name = world.ids.uuid("job");
  const job: AsrJob = {
    name,
    id: `${vaultId(world.estate.subscriptionId, item.vault.resourceGroup, item.vault.name)}/replicationJobs/${name}`,
    seq: world.nextSeq(),
    item,
    scenario,
    startTime: now,
    endsAt: new Date(now.getTime() + durationOf(world, scenario, isFailover && recoveryPointId === undefined)),
    apiVersion,
    outcome,
    recoveryPointId,
    state: "InProgress",
    stateDescription: "InProgress",
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

/** Applies the end state of a job whose time has come, as the recorded item states show it. */
export function finishJob(world: World, job: AsrJob): void {
  const item = job.item;
  if (job.outcome === "Suspended") {
    // A suspended job waits for a person: it never ends on its own, and the item keeps showing it.
    job.state = "Suspended";
    job.stateDescription = "Suspended";
    return;
  }
  job.state = job.outcome === "Failed" ? "Failed" : "Succeeded";
  job.stateDescription = job.outcome === "Failed" ? "Failed" : job.outcome === "PartiallySucceeded" ? "PartiallySucceeded" : "Completed";
  job.endTime = job.endsAt;
  if (job.outcome === "Failed") {
    // A failed reprotect leaves the item failed over and committed, so it can be tried again.
    if (job.scenario === "SwitchReplicationGroupProtection") return item.reprotected ? failbackCommitted(world, item) : committed(world, item);
    // Not recorded: a failed failback leaves the item replicating back, offering the planned failover again.
    if (job.scenario === "PlannedFailover") return failbackReady(world, item, "Failed");
    backToProtected(world, item);
    return;
  }
  switch (job.scenario) {
    case "UnplannedFailover":
      item.activeLocation = "Recovery";
      // Recorded state C (TestV2ARCMCommit.json): failed over, commit pending.
      atRest(world, item, "UnplannedFailoverCommitPendingStatesBegin", "Failover completed", [
        "CompleteMigration",
        "Commit",
        "DisableProtection",
        "ChangePit",
        "SwitchProtection",
      ]);
      recordRecovery(world, job, "recovered");
      break;
    case "TestFailover":
      // Not recorded (the client never read the item before its cleanup): shaped like the spec example
      // asr-protecteditem-testfailover.json, whose only allowed operation is TestFailoverCleanup.
      item.protectionStateDescription = "Cleanup test failover pending";
      item.testFailoverState = "WaitingForCompletion";
      item.testFailoverStateDescription = "Waiting for user input";
      item.allowedOperations = ["TestFailoverCleanup"];
      recordRecovery(world, job, "test");
      break;
    case "CommitFailover":
      // Not recorded: the commit of a failback leaves the item committed on vSphere, shaped like the
      // forward state D (committed, offering SwitchProtection: the reprotect towards Azure).
      if (item.reprotected) failbackCommitted(world, item);
      else committed(world, item);
      break;
    case "TestFailoverCleanup": {
      const { resourceGroup } = parseResourceId(item.vm.recoveryVmId);
      world.vms.delete(vmKey(resourceGroup, testVmName(item.vm)));
      backToProtected(world, item);
      // Recorded state B: after a finished cleanup the item still says MarkedForDeletion, until a later failover cycle.
      item.testFailoverState = "MarkedForDeletion";
      item.testFailoverStateDescription = "Cleaning up test environment";
      break;
    }
    case "SwitchReplicationGroupProtection":
      if (item.reprotected) {
        // Back towards Azure (InMageRcmFailbackReprotectInput). Not recorded: the item is shown as the
        // forward InMageRcm item of state A again, Protected on Primary; ASR's initial replication
        // towards Azure is not simulated, and the VM ASR recovered in Azure is left where it is.
        backToProtected(world, item);
        item.reprotected = false;
        delete item.failback;
        break;
      }
      // Recorded (TestV2ARCMFailback.json, item Rcm-W2K19-155): once reprotected the item replicates
      // with provider InMageRcmFailback, active on Primary: first InitialReplicationInProgress, then
      // Protected offering PlannedFailover (failbackReplication.ts). The reprotect job commits a pending
      // failover itself (its CommitFailoverTask).
      item.activeLocation = "Primary";
      atRest(world, item, "Protected", "Protected", ["PlannedFailover", "DisableProtection"]);
      item.reprotected = true;
      startFailbackSync(world, item, job.endsAt);
      break;
    case "PlannedFailover":
      // Recorded state E (TestV2ARCMCancelFailover.json): after the failback's planned failover the item
      // is CommitPendingStatesBegin "Planned failover finished", active on Recovery (vSphere, in the
      // reprotected direction), failoverRecoveryPointId "", lastSuccessfulFailoverTime the job's start.
      item.activeLocation = "Recovery";
      atRest(world, item, "CommitPendingStatesBegin", "Planned failover finished", [
        "CompleteMigration",
        "Commit",
        "DisableProtection",
        "SwitchProtection",
        "CancelFailover",
      ]);
      item.lastSuccessfulFailoverTime = job.startTime;
      item.failoverRecoveryPointId = "";
      if (item.failback) item.failback.plannedFailoverStatus = "Succeeded";
      break;
  }
}

function failbackCommitted(world: World, item: ProtectedItem): void {
  atRest(world, item, "PlannedFailoverCommitted", "Failover committed", ["CompleteMigration", "DisableProtection", "SwitchProtection"]);
}

/** The reprotected item offering its failback again (recorded state F). */
function failbackReady(world: World, item: ProtectedItem, lastStatus: string): void {
  item.activeLocation = "Primary";
  atRest(world, item, "Protected", "Protected", ["PlannedFailover", "DisableProtection"]);
  if (item.failback) item.failback.plannedFailoverStatus = lastStatus;
}

/** An item no job is running on: its protection state, the operations it allows next, and no current scenario. */
function atRest(world: World, item: ProtectedItem, state: string, description: string, allowedOperations: string[]): void {
  item.protectionState = state;
  item.protectionStateDescription = description;
  item.allowedOperations = allowedOperations;
  item.currentScenario = noneScenario(item, world.estate.subscriptionId);
}

/** Recorded state D (TestV2ARCMReprotect.json): failed over and committed. */
function committed(world: World, item: ProtectedItem): void {
  atRest(world, item, "UnplannedFailoverCommitted", "Failover committed", ["CompleteMigration", "DisableProtection", "SwitchProtection"]);
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
  // Recorded: lastSuccessful(Test)FailoverTime is the job's start time, not its end.
  if (kind === "test") item.lastSuccessfulTestFailoverTime = job.startTime;
  else item.lastSuccessfulFailoverTime = job.startTime;
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

/** The recovery point a job without recoveryPointId made (ASR's latest): a new point at the last data received. */
export function latestPointId(item: ProtectedItem, at: Date): string {
  return `${item.id}/recoveryPoints/${uuidFrom(`${item.id.toLowerCase()}@latest@${at.getTime()}`)}`;
}
