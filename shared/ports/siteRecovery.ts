import type { Vault } from "../domain/estate.js";
import type { FailbackPoint } from "../domain/plan.js";

/** Where a protected item lives in ASR. */
export interface ProtectedItemRef {
  readonly vault: Vault;
  readonly protectedItem: string;
}

export interface ProtectedItemState {
  /** providerSpecificDetails.instanceType: 'InMageRcm', or 'InMageRcmFailback' once reprotected towards vSphere. */
  readonly provider: string;
  readonly protectionState: string;
  readonly activeLocation: string;
  readonly testFailoverState: string;
  readonly allowedOperations: readonly string[];
  readonly replicationHealth: string;
  /** InMageRcm's multiVmGroupName: the multi-VM consistency group the item replicates in (recorded null when none). */
  readonly multiVmGroup?: string;
  /** InMageRcm's internalIdentifier (what job details name the item by). */
  readonly internalId?: string;
  /** InMageRcm's targetResourceGroupId: where ASR creates the recovered and the test VMs. */
  readonly targetResourceGroupId?: string;
  /** InMageRcm's lastRecoveryPointReceived: the newest replicated data ASR holds for the item. */
  readonly lastDataReceived?: Date;
  /**
   * InMageRcmFailback's initial replication back to vSphere (initialReplicationProgressPercentage and
   * initialReplicationProgressHealth: None, InProgress, SlowProgress, NoProgress); absent for other providers.
   */
  readonly failbackReplication?: { readonly progressPercentage?: number; readonly progressHealth: string };
  /** The operation ASR is running on the item, if any ('None' otherwise). */
  readonly currentScenario: { readonly name: string; readonly jobName?: string };
}

export interface RecoveryPointInfo {
  readonly id: string;
  readonly time: Date;
  /** ASR's recoveryPointType: 'AppConsistent' / 'ApplicationConsistent' or 'CrashConsistent' (see domain/recoveryPoint.ts). */
  readonly type: string;
  /** InMageRcm's isMultiVmSyncPoint: consistent across the VMs of the item's multi-VM group. */
  readonly multiVmSyncPoint?: boolean;
}

export interface AsrJob {
  readonly name: string;
  /** ASR's job state as sent: NotStarted, InProgress, Succeeded, Failed, Cancelled, Suspended, ... (judged by the engine). */
  readonly state: string;
  /** For Succeeded: Completed, PartiallySucceeded, CompletedWithInformation or Skipped (the SDK's JobProperties doc). */
  readonly stateDescription: string;
  readonly scenarioName: string;
  readonly errors: readonly string[];
  /**
   * A succeeded test failover job names the VM it created (TestFailoverJobDetails.protectedItemDetails[]:
   * `name` is the item's internal identifier, `testVmName` the VM's name; recorded, filled only at Succeeded).
   */
  readonly testVms: readonly { readonly internalId: string; readonly testVmName: string }[];
  /** When ASR started the job (absent when ASR did not say). */
  readonly startTime?: Date;
}

export interface StartedJob {
  readonly jobName: string;
}

/** Whether ASR can reach the on-premises site of a vault's fabric (failback needs it). */
export interface OnPremisesReachability {
  readonly reachable: boolean;
  /** In words: which appliance / process server, its health and last heartbeat. */
  readonly detail: string;
}

/** Azure Site Recovery operations for VMware-to-Azure protected items. */
export interface SiteRecoveryPort {
  getProtectedItem(ref: ProtectedItemRef): Promise<ProtectedItemState>;
  listRecoveryPoints(ref: ProtectedItemRef): Promise<RecoveryPointInfo[]>;
  startUnplannedFailover(ref: ProtectedItemRef, recoveryPointId: string | undefined): Promise<StartedJob>;
  startTestFailover(ref: ProtectedItemRef, recoveryPointId: string | undefined): Promise<StartedJob>;
  startCommit(ref: ProtectedItemRef): Promise<StartedJob>;
  startTestFailoverCleanup(ref: ProtectedItemRef, comments: string): Promise<StartedJob>;
  getJob(vault: Vault, jobName: string): Promise<AsrJob>;
  /**
   * The vault's jobs started at or after `startedSince` (ReplicationJobs_List with a startTime filter),
   * in one call per page: how the engine follows all of a vault's jobs at once. A job missing from the
   * answer proves nothing (the filter's exact boundary is not documented): ask for it with getJob.
   */
  listJobs(vault: Vault, startedSince: Date): Promise<AsrJob[]>;
  /** Reverse replication (Azure back to on-premises) of a failed-over item, with the vault's reprotect settings. */
  startReprotect(ref: ProtectedItemRef): Promise<StartedJob>;
  /** Failback of a reprotected item: ASR's planned failover towards vSphere (InMageRcmFailback). */
  startPlannedFailback(ref: ProtectedItemRef, recoveryPointType: FailbackPoint): Promise<StartedJob>;
  /** Protection towards Azure again of a failed-back, committed item, with the vault's failbackReprotect settings. */
  startReprotectToAzure(ref: ProtectedItemRef): Promise<StartedJob>;
  /** The vault's on-premises fabric as ASR sees it: the appliance's reprotect agent. */
  getOnPremisesReachability(vault: Vault): Promise<OnPremisesReachability>;
}
