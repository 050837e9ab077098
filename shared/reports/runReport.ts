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
  /** From the run's start to its end (or now): the timeline's extent. Absent in reports written before it existed. */
  readonly durationSeconds?: number;
  readonly rtoTargetSeconds: number;
  /** Worst VM: time between its recovery point and the start of its failover (the writes given up). */
  readonly dataLossWindowSeconds: number | null;
  readonly rpoTargetSeconds: number;
  /** How the run's failovers chose their recovery point, and what that means (null: no failover in the run). */
  readonly recoveryPointChoice?: { readonly choice: string; readonly meaning: string } | null;
  readonly dnsChanges: readonly DnsChange[];
  readonly notes: readonly string[];
  readonly steps: readonly StepReport[];
  /** Earlier drills (test failovers) of the estate, newest first, for comparison (the report page adds them). */
  readonly history?: readonly RunHistoryEntry[];
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
