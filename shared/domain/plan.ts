import type { AdDnsStep } from "./adDnsSteps.js";
import type { GuestCheck, RecoveryPointChoice } from "./estate.js";

/**
 * `failback-prep`: reprotect failed-over VMs so they replicate back to the on-premises site.
 * `failback`: once that replication is healthy, a planned failover back to vSphere, names and routes
 * set back, commit, and protection towards Azure again.
 */
export type RunMode = "unplanned" | "test" | "failback-prep" | "failback";

const MODE_NAMES: { readonly [M in RunMode]: string } = {
  unplanned: "Failover",
  test: "Test failover",
  "failback-prep": "Failback preparation",
  failback: "Failback",
};

/** What a person calls a run of this mode, at the start of a sentence ("Failback of contoso stopped"). */
export function modeName(mode: string): string {
  return (MODE_NAMES as Record<string, string | undefined>)[mode] ?? mode;
}

/** ASR's InMageRcmFailback recoveryPointType of a failback's planned failover. */
export type FailbackPoint = "ApplicationConsistent" | "CrashConsistent";

export type Scope =
  { readonly kind: "all" } | { readonly kind: "tiers"; readonly tiers: readonly string[] } | { readonly kind: "vms"; readonly vms: readonly string[] };

export interface FailoverRequest {
  readonly mode: RunMode;
  readonly scope: Scope;
  /** Defaults to the estate's recovery-point policy. */
  readonly recoveryPoint?: RecoveryPointChoice;
  /** A person must approve (POST /api/runs/{runId}/approve) before the first failover or reprotect. */
  readonly approvalRequired?: boolean;
  /**
   * Commit (unplanned) or cleanup (test) waits for a person (POST .../commit | .../cleanup) instead
   * of following the last tier at once; absent or false keeps the automatic finish.
   */
  readonly manualFinish?: boolean;
  /** With `manualFinish`, a test failover's cleanup also goes ahead on its own after this long (scheduled drills). */
  readonly cleanupAfterMinutes?: number;
  /** Test mode only: just clean up the test VMs in scope (what a failed or cancelled drill left behind). */
  readonly cleanupOnly?: boolean;
  /** With cleanupOnly: the drill whose test VMs the run removes, when the product started it for that drill (its automatic or an operator's cleanup). */
  readonly cleanupOf?: string;
  /** The unplanned run a round trip undoes (failback-prep and failback): a failback sets back what its DNS and route steps changed. */
  readonly failoverRunId?: string;
  /** Failback only: the kind of point the on-premises VMs start from (default ApplicationConsistent, see planFailback.ts). */
  readonly failbackPoint?: FailbackPoint;
}

interface StepBase {
  /** Unique within the run; safe as a Table Storage row key and a Service Bus message id part. */
  readonly id: string;
  readonly dependsOn: readonly string[];
  /** Tier the step belongs to; undefined for estate-wide steps. */
  readonly tier?: string;
  /** What the step acts on: a VM, a record set, a route, a tier. */
  readonly target: string;
}

/** The target-region domain controller answers as a healthy DC; nothing starts without it. */
export interface VerifyTargetDcStep extends StepBase {
  readonly kind: "verifyTargetDc";
}
export interface FailoverStep extends StepBase {
  readonly kind: "failover";
  readonly mode: RunMode;
  readonly vm: string;
  readonly recoveryPoint: RecoveryPointChoice;
}
/**
 * One Run Command per VM carrying all its in-guest checks (Azure runs one command per VM at a time).
 * In a test failover the VM sits in an isolated network, so its HTTP probe runs in-guest here too.
 */
export interface GuestChecksStep extends StepBase {
  readonly kind: "guestChecks";
  readonly vm: string;
  readonly checks: readonly GuestCheck[];
  readonly httpProbeUrl?: string;
}
/** HTTP probe of a recovered VM from the Function App's VNet integration. */
export interface HealthProbeStep extends StepBase {
  readonly kind: "healthProbe";
  readonly vm: string;
  readonly url: string;
}
/** IP forwarding on the recovered NAT/firewall VM's primary NIC, so Azure lets it forward what routes send it. */
export interface EnableIpForwardingStep extends StepBase {
  readonly kind: "enableIpForwarding";
  readonly vm: string;
}
/** Points a route at the private IP that `nextHopVm`'s primary NIC has after failover. */
export interface UpdateRouteStep extends StepBase {
  readonly kind: "updateRoute";
  readonly routeTable: string;
  readonly route: string;
  readonly nextHopVm: string;
}
export interface UpdateDnsStep extends StepBase {
  readonly kind: "updateDns";
  readonly zoneType: "public" | "private";
  readonly zone: string;
  readonly name: string;
  readonly addresses: readonly string[];
}
/** Milestone: every VM of the tier failed over and passed its checks; its routes and names follow it. */
export interface TierReadyStep extends StepBase {
  readonly kind: "tierReady";
}
export interface CommitStep extends StepBase {
  readonly kind: "commit";
  readonly vm: string;
}
export interface CleanupTestFailoverStep extends StepBase {
  readonly kind: "cleanupTestFailover";
  readonly vm: string;
}
export interface NotifyStep extends StepBase {
  readonly kind: "notify";
  readonly event: "runCompleted";
}
/** What a person decides on a run: approve its start, commit its failover, clean its drill up. */
export type RunDecision = "approve" | "commit" | "cleanup";
/**
 * A gate that holds the steps after it until a person's decision is on the run record, or (a
 * scheduled drill's cleanup) until `proceedAfterSeconds` have passed since the gate was reached.
 */
export interface AwaitDecisionStep extends StepBase {
  readonly kind: "awaitDecision";
  readonly decision: RunDecision;
  readonly proceedAfterSeconds?: number;
}
/** Failback preparation: reverse replication of a failed-over, committed VM to the on-premises site. */
export interface ReprotectStep extends StepBase {
  readonly kind: "reprotect";
  readonly vm: string;
}

/** Failback: waits (polling) until ASR shows the VM replicating back to vSphere, healthy, offering PlannedFailover. */
export interface AwaitFailbackReplicationStep extends StepBase {
  readonly kind: "awaitFailbackReplication";
  readonly vm: string;
}
/** Failback of one VM: ASR's planned failover of the reprotected item to vSphere. */
export interface PlannedFailbackStep extends StepBase {
  readonly kind: "plannedFailback";
  readonly vm: string;
  readonly recoveryPointType: FailbackPoint;
}
/** Sets an A record set back to what the failover run's updateDns step journaled, if it still holds what that step wrote. */
export interface RestoreDnsStep extends StepBase {
  readonly kind: "restoreDns";
  readonly zoneType: "public" | "private";
  readonly zone: string;
  readonly name: string;
  /** The failover run whose journal holds the values (its step `dnsStepId(zoneType, zone, name)`). */
  readonly failoverRunId: string;
}
/** Sets a route back to the next hop the failover run's updateRoute step journaled, if it still holds what that step wrote. */
export interface RestoreRouteStep extends StepBase {
  readonly kind: "restoreRoute";
  readonly routeTable: string;
  readonly route: string;
  readonly failoverRunId: string;
}
/** Protects a failed-back, committed VM towards Azure again (InMageRcmFailbackReprotectInput). */
export interface ReprotectToAzureStep extends StepBase {
  readonly kind: "reprotectToAzure";
  readonly vm: string;
}

export type Step =
  | VerifyTargetDcStep
  | FailoverStep
  | GuestChecksStep
  | HealthProbeStep
  | EnableIpForwardingStep
  | UpdateRouteStep
  | UpdateDnsStep
  | TierReadyStep
  | CommitStep
  | CleanupTestFailoverStep
  | NotifyStep
  | AwaitDecisionStep
  | ReprotectStep
  | AwaitFailbackReplicationStep
  | PlannedFailbackStep
  | RestoreDnsStep
  | RestoreRouteStep
  | ReprotectToAzureStep
  | AdDnsStep;

export type StepKind = Step["kind"];

export interface Plan {
  readonly mode: RunMode;
  readonly steps: readonly Step[];
  /** What the plan deliberately leaves out, in words a person reads in a preview. */
  readonly notes: readonly string[];
}

/** Ids of the steps that depend on each step. */
export function successorsOf(plan: Plan): ReadonlyMap<string, readonly string[]> {
  const successors = new Map<string, string[]>(plan.steps.map((s) => [s.id, []]));
  for (const step of plan.steps) for (const dep of step.dependsOn) successors.get(dep)?.push(step.id);
  return successors;
}
