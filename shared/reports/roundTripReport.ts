import type { RunMode } from "../domain/plan.js";
import type { RunStatus, StepStatus } from "../ports/runStore.js";
import type { DnsChange } from "./runReport.js";

/** The three runs of a round trip: fail over to Azure, reprotect towards vSphere, fail back (and protect towards Azure again). */
export type RoundTripPhaseName = "failover" | "failbackPrep" | "failback";

/** One run of the round trip, placed on the round trip's clock. */
export interface RoundTripPhase {
  readonly phase: RoundTripPhaseName;
  readonly runId: string;
  readonly mode: RunMode;
  readonly trigger: string;
  readonly outcome: RunStatus;
  readonly failureReason: string | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** Seconds from the round trip's start to the run's start. */
  readonly startOffsetSeconds: number;
  /** From the run's start to its end (or now, while it runs). */
  readonly durationSeconds: number;
  /** Who approved the run's start (display name), null when it needed no approval or has none yet. */
  readonly approvedBy: string | null;
  readonly stepsSucceeded: number;
  readonly steps: number;
}

/** When one tier was worked on in one run: from its first step's start to its last step's end. */
export interface RoundTripTierSpan {
  readonly phase: RoundTripPhaseName;
  readonly runId: string;
  readonly tier: string;
  readonly startedAt: string;
  /** Null while a step of the tier has not ended. */
  readonly finishedAt: string | null;
}

/** Where one VM went on the way, each moment null until it happened. */
export interface RoundTripVm {
  readonly vm: string;
  readonly tier: string;
  /** The unplanned failover to Azure ended. */
  readonly failedOverAt: string | null;
  readonly committedAt: string | null;
  /** Reprotect towards vSphere (failback preparation) ended. */
  readonly reprotectedToOnPremisesAt: string | null;
  /** The failback run saw replication back to vSphere healthy. */
  readonly replicationBackHealthyAt: string | null;
  /** The planned failover back to vSphere ended. */
  readonly failedBackAt: string | null;
  readonly failbackCommittedAt: string | null;
  /** Protected towards Azure again. */
  readonly reprotectedToAzureAt: string | null;
}

/** restored: set back; removed: the failover had created it, the failback removed it; notRestored: the failback step did not write (someone changed the value since the failover: its detail says what it found); pending: not yet; notPlanned: no failback run covers it. */
export type RestoreStatus = "restored" | "removed" | "notRestored" | "pending" | "notPlanned";

/** A DNS record set the failover moved, and what the failback did with it. */
export interface RoundTripDnsChange {
  readonly record: string;
  /** Azure DNS, Azure Private DNS, or the AD-integrated DNS on the domain controllers. */
  readonly zoneType: DnsChange["zoneType"] | "activeDirectory";
  /** The on-premises value the failover found (and failback sets back). */
  readonly onPremises: readonly string[];
  /** What the failover wrote. */
  readonly recovery: readonly string[];
  readonly movedAt: string | null;
  readonly restore: RestoreStatus;
  readonly restoredAt: string | null;
  /** What the failback step said (why it did not write). */
  readonly detail: string | null;
}

/** A route the failover pointed at the recovered NAT, and what the failback did with it. */
export interface RoundTripRouteChange {
  readonly route: string;
  readonly routeTable: string;
  /** Next hop before the failover (null: none recorded). */
  readonly onPremises: string | null;
  readonly recovery: string;
  readonly movedAt: string | null;
  readonly restore: RestoreStatus;
  readonly restoredAt: string | null;
  readonly detail: string | null;
}

/** One step of one of the runs, on the round trip's timeline. */
export interface RoundTripStep {
  readonly phase: RoundTripPhaseName;
  readonly runId: string;
  readonly id: string;
  readonly kind: string;
  readonly target: string;
  readonly tier: string | null;
  readonly status: StepStatus;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

/**
 * The whole round trip on one timeline (reports/roundtrip-<failoverRunId>.json and .html): the
 * failover run, the failback preparation and the failback run linked by `request.failoverRunId`.
 */
export interface RoundTripReport {
  /** The failover run's id: the other runs name it as `request.failoverRunId`. */
  readonly roundTripId: string;
  readonly estate: string;
  /** complete: failed back and protected towards Azure again; stopped: the latest run failed or was cancelled. */
  readonly status: "complete" | "inProgress" | "stopped";
  /** One sentence: where the round trip is. */
  readonly summary: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly durationSeconds: number;
  /** The runs in the order they started (a run tried again appears again). */
  readonly phases: readonly RoundTripPhase[];
  /** The failover's recovery figures, as its run report gives them. */
  readonly failover: {
    readonly runId: string;
    readonly rtoSeconds: number;
    readonly rtoFromDetectionSeconds: number;
    readonly rtoTargetSeconds: number;
    /** Null until the failover run has recovered or stopped. */
    readonly rtoMet: boolean | null;
    readonly dataLossWindowSeconds: number | null;
    readonly rpoTargetSeconds: number;
  } | null;
  /** From the start of failback preparation until replication back was healthy for every VM (null: not yet). */
  readonly replicationBack: { readonly startedAt: string; readonly healthyAt: string | null; readonly seconds: number | null } | null;
  /**
   * The failback's downtime: from the first planned failover back (the Azure VMs shut down) until the
   * last tier was ready on-premises with its names and routes set back. Commit and reprotect after it are not downtime.
   */
  readonly failback: {
    readonly runId: string;
    readonly approvedBy: string | null;
    readonly downtimeStartedAt: string | null;
    readonly downtimeEndedAt: string | null;
    readonly downtimeSeconds: number | null;
    readonly tiers: readonly { readonly tier: string; readonly downtimeSeconds: number | null }[];
  } | null;
  /** The estate's tiers the runs touched, in dependency order. */
  readonly tiers: readonly string[];
  readonly tierSpans: readonly RoundTripTierSpan[];
  readonly vms: readonly RoundTripVm[];
  readonly dnsChanges: readonly RoundTripDnsChange[];
  readonly routeChanges: readonly RoundTripRouteChange[];
  readonly steps: readonly RoundTripStep[];
  /** What to do next, most urgent first. */
  readonly nextSteps: readonly string[];
}
