import type { Vault } from "../domain/estate.js";

/** Where a protected item lives in ASR. */
export interface ProtectedItemRef {
  readonly vault: Vault;
  readonly protectedItem: string;
}

export interface ProtectedItemState {
  readonly protectionState: string;
  readonly activeLocation: string;
  readonly testFailoverState: string;
  readonly allowedOperations: readonly string[];
  readonly replicationHealth: string;
  /** The operation ASR is running on the item, if any ('None' otherwise). */
  readonly currentScenario: { readonly name: string; readonly jobName?: string };
}

export interface RecoveryPointInfo {
  readonly id: string;
  readonly time: Date;
  /** 'AppConsistent' or 'CrashConsistent' (ASR's recoveryPointType). */
  readonly type: string;
}

export type AsrJobState = "NotStarted" | "InProgress" | "Succeeded" | "Failed" | "Cancelled" | "Suspended" | "Other";

export interface AsrJob {
  readonly name: string;
  readonly state: AsrJobState;
  readonly scenarioName: string;
  readonly errors: readonly string[];
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
  /** Reverse replication (Azure back to on-premises) of a failed-over item, with the vault's reprotect settings. */
  startReprotect(ref: ProtectedItemRef): Promise<StartedJob>;
  /** The vault's on-premises fabric as ASR sees it: its reprotect agent (InMageRcm) or process server (InMageAzureV2). */
  getOnPremisesReachability(vault: Vault): Promise<OnPremisesReachability>;
}
