import type { ArmUsage } from "../ports/armBudget.js";
import type { RunMode, StepKind } from "../domain/plan.js";
import type { RunStatus, StepStatus } from "../ports/runStore.js";

export interface StepReport {
  readonly id: string;
  readonly kind: StepKind;
  readonly target: string;
  readonly tier: string | null;
  readonly status: StepStatus;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly attempts: number;
  readonly detail: string | null;
}

export interface DnsChange {
  readonly record: string;
  readonly zoneType: "public" | "private";
  readonly from: readonly string[];
  readonly to: readonly string[];
  /** The failback removed the set: the failover had created it. */
  readonly removed?: true;
}

/** A user-defined route the run pointed at the recovered NAT/firewall VM. */
export interface RouteChange {
  readonly route: string;
  readonly routeTable: string;
  /** Next hop before the run (null: the route did not exist or had no appliance next hop). */
  readonly from: string | null;
  readonly to: string;
  /** The failback removed the route: the failover had created it. */
  readonly removed?: true;
}

/**
 * Where the cleanup of a failed or cancelled drill's test VMs is: pending (the automatic cleanup is due
 * at `dueAt`, null when the report does not know the grace period), put off by an operator, running,
 * done (`runId` null: the automatic cleanup found none left in ASR), failed, or given up.
 */
export type TestVmCleanup =
  | { readonly state: "pending"; readonly dueAt: string | null }
  | { readonly state: "putOff"; readonly dueAt: string; readonly by: string; readonly reason: string }
  | { readonly state: "running"; readonly runId: string; readonly since: string }
  | { readonly state: "cleanedUp"; readonly runId: string | null; readonly at: string }
  | { readonly state: "failed"; readonly runId: string; readonly at: string; readonly reason: string; readonly automaticDueAt: string | null }
  | { readonly state: "gaveUp"; readonly at: string };

/** What a run leaves behind, in the terms a person acts on. */
export interface EstateAfterRun {
  /** One sentence: where the estate is now. */
  readonly summary: string;
  readonly failedOverNotCommitted: readonly string[];
  readonly committed: readonly string[];
  /** Test failover VMs still in the isolated network. */
  readonly testVmsLeft: readonly string[];
  /** A failed or cancelled drill: what happens to its test VMs (null for any other run). */
  readonly testVmCleanup: TestVmCleanup | null;
  readonly reprotected: readonly string[];
  readonly dnsMoved: readonly string[];
  readonly routesMoved: readonly string[];
  /** What to do next, most urgent first. */
  readonly nextSteps: readonly string[];
}

/** The run report: the JSON contract of `reports/<runId>.json` and the source of the HTML page. */
export interface RunReport {
  readonly runId: string;
  readonly estate: string;
  readonly mode: RunMode;
  readonly trigger: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly outcome: RunStatus;
  readonly failureReason: string | null;
  /**
   * From the run's start to its last step (or now, while running). When commit or cleanup waits
   * for a person, to the moment every tier was ready: the wait for that decision is not recovery time.
   */
  readonly rtoSeconds: number;
  /**
   * When the outage was detected: the first alert's fired time of the incident behind the run, or
   * the request (the run's start) for a run a person asked for.
   */
  readonly detectedAt: string;
  /** The same end as `rtoSeconds`, measured from `detectedAt`: the time the business was without the site. */
  readonly rtoFromDetectionSeconds: number;
  /** The RTO target counts from detection: the outage began then, not when the run started. */
  readonly rtoTargetAppliesTo: "detection";
  /** Whether the run recovered: a failed or cancelled run's RTO is no achievement, whatever its length. */
  readonly recovered: boolean;
  /** From the run's start to its end (or now): the timeline's extent. Absent in reports written before it existed. */
  readonly durationSeconds?: number;
  readonly rtoTargetSeconds: number;
  /** Worst VM: time between its recovery point and the start of its failover (the writes given up). */
  readonly dataLossWindowSeconds: number | null;
  readonly rpoTargetSeconds: number;
  /** How the run's failovers chose their recovery point, and what that means (null: no failover in the run). */
  readonly recoveryPointChoice?: { readonly choice: string; readonly meaning: string } | null;
  readonly dnsChanges: readonly DnsChange[];
  readonly routeChanges: readonly RouteChange[];
  /** The run's tiers in dependency order, as the timeline and the steps table group them. */
  readonly tiers: readonly string[];
  readonly estateAfter: EstateAfterRun;
  readonly notes: readonly string[];
  readonly steps: readonly StepReport[];
  /**
   * A failback: from its first planned failover back until the last tier was ready on premises (null
   * until then). Absent for other modes, whose recovery is measured by the RTO.
   */
  readonly downtimeSeconds?: number | null;
  /** Earlier drills (test failovers) of the estate, newest first, for comparison (the report page adds them). */
  readonly history?: readonly RunHistoryEntry[];
  /** ARM requests the run made (its steps and job watches) and the lowest remaining budget ARM reported; set when it ended. */
  readonly armUsage?: ArmUsage;
}

/** One earlier run on the report page's history. */
export interface RunHistoryEntry {
  readonly runId: string;
  readonly mode: RunMode;
  readonly trigger: string;
  readonly startedAt: string;
  readonly outcome: RunStatus;
  readonly rtoSeconds: number;
  readonly rtoTargetSeconds: number;
  readonly dataLossWindowSeconds: number | null;
  readonly rpoTargetSeconds: number;
}
