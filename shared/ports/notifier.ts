export type RunEventKind = "runStarted" | "tierCompleted" | "runFailed" | "runCompleted";

export interface RunEvent {
  readonly kind: RunEventKind;
  readonly runId: string;
  readonly estate: string;
  readonly mode: string;
  readonly at: Date;
  readonly summary: string;
  readonly tier?: string;
}

/** Tells people what happened. Implementations must never throw into a failover. */
export interface NotifierPort {
  notify(event: RunEvent): Promise<void>;
}
