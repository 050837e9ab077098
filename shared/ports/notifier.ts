export const RUN_EVENT_KINDS = [
  "runStarted",
  "tierCompleted",
  "runFailed",
  "runCompleted",
  /** A run (or a policy decision) waits for a person to approve it. */
  "approvalNeeded",
  /** The nightly health check finished; `health` holds its summary. */
  "healthCheck",
  /** A step message exhausted its deliveries and went to the dead-letter queue. */
  "stepDeadLettered",
  /** The alert policy decided something people should know (warning, diagnosis, kill switch, no failback). */
  "incidentDecision",
] as const;

export type RunEventKind = (typeof RUN_EVENT_KINDS)[number];

/** How a finished run did against the estate's objectives. */
export interface RunObjectivesResult {
  readonly rtoSeconds: number;
  readonly rtoTargetSeconds: number;
  /** Worst VM's gap between its recovery point and its failover; null when none was recorded. */
  readonly dataLossWindowSeconds: number | null;
  readonly rpoTargetSeconds: number;
}

/** The step that stopped a run (runFailed, stepDeadLettered). */
export interface FailedStepInfo {
  readonly id: string;
  readonly kind: string;
  readonly target: string;
  readonly tier?: string;
  readonly reason: string;
}

/** What a person is asked to approve, and how (approvalNeeded). */
export interface ApprovalRequest {
  /** In words: "Full site failover of contoso (16 VMs) after ExpressRoute down". */
  readonly what: string;
  /** How to approve or reject: the API call, the page, the role needed. */
  readonly how: string;
  readonly approveUrl?: string;
  /** ISO 8601: when the request lapses. */
  readonly expiresAt?: string;
}

/** Nightly health check result (healthCheck). */
export interface HealthCheckSummary {
  readonly healthy: number;
  readonly warnings: number;
  readonly critical: number;
  /** Most important first, each with its advice, in words. */
  readonly findings: readonly string[];
}

export interface RunEvent {
  readonly kind: RunEventKind;
  /**
   * Stable across repeats of the same event, so its notifications are sent once:
   * `${runId}:${kind}` or `${runId}:${kind}:${tier}`. Absent: derived with `runEventId`.
   */
  readonly id?: string;
  /** The run; for a health check, the id of its report. */
  readonly runId: string;
  readonly estate: string;
  readonly mode: string;
  readonly at: Date;
  readonly summary: string;
  readonly tier?: string;
  /** Why the run started: an alert id, a user, a drill. */
  readonly trigger?: string;
  /** VMs the event is about. */
  readonly vms?: readonly string[];
  /** On completion: RTO and data-loss window against the targets. */
  readonly objectives?: RunObjectivesResult;
  readonly failedStep?: FailedStepInfo;
  readonly approval?: ApprovalRequest;
  readonly health?: HealthCheckSummary;
  /** What a person must do now; the notification adds a default for the kind when absent. */
  readonly action?: string;
  /** Page to open; absent, the notifier links the run page (RUN_PAGE_BASE_URL). */
  readonly link?: string;
}

/** The event's dedupe id: its own, else `${runId}:${kind}[:${tier}]`. */
export function runEventId(event: Pick<RunEvent, "id" | "runId" | "kind" | "tier">): string {
  return event.id ?? [event.runId, event.kind, ...(event.tier !== undefined ? [event.tier] : [])].join(":");
}

/**
 * Tells people what happened. Implementations must never throw into a failover, and must not
 * wait on a channel: the production notifier only enqueues (see docs/notifications.md).
 */
export interface NotifierPort {
  notify(event: RunEvent): Promise<void>;
}
