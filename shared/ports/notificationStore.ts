/** Per channel: how its deliveries have gone lately (Table Storage `channelHealth`). */
export interface ChannelHealthRecord {
  readonly channel: string;
  /** Failed attempts since the last success; a success resets it. */
  readonly consecutiveFailures: number;
  readonly totalFailures: number;
  readonly delivered: number;
  readonly lastSuccessAt?: string;
  readonly lastFailureAt?: string;
  /** What the last failure was, in words (never a secret: no URL, no key). */
  readonly lastError?: string;
  readonly lastEventId?: string;
}

export type DeliveryStatus = "delivered" | "retrying" | "failed";

/** One (event, channel) pair of a run: delivered, waiting for a retry, or given up. */
export interface DeliveryRecord {
  readonly runId: string;
  readonly eventId: string;
  readonly kind: string;
  readonly channel: string;
  readonly status: DeliveryStatus;
  /** Attempts made so far. */
  readonly attempts: number;
  readonly updatedAt: string;
  readonly lastError?: string;
  /** When the next attempt is scheduled (status retrying). */
  readonly nextAttemptAt?: string;
}

export type ChannelOutcome =
  | { readonly ok: true; readonly at: string; readonly eventId: string }
  | { readonly ok: false; readonly at: string; readonly eventId: string; readonly error: string };

/** Durable notification state: what each (event, channel) became, and each channel's health. */
export interface NotificationStore {
  getDelivery(runId: string, eventId: string, channel: string): Promise<DeliveryRecord | undefined>;
  putDelivery(record: DeliveryRecord): Promise<void>;
  listDeliveries(runId: string): Promise<DeliveryRecord[]>;
  /** Counts the outcome into the channel's health (safe under concurrent workers). */
  recordChannelOutcome(channel: string, outcome: ChannelOutcome): Promise<ChannelHealthRecord>;
  listChannelHealth(): Promise<ChannelHealthRecord[]>;
}
