import type { RunEvent } from "./notifier.js";

export type ChannelName = "teams" | "email" | "webhook";
export const CHANNEL_NAMES: readonly ChannelName[] = ["teams", "email", "webhook"];

/** A run event as it travels on the notification queue: JSON-safe, its id and link resolved. */
export interface NotificationEvent extends Omit<RunEvent, "id" | "at"> {
  readonly id: string;
  /** ISO 8601. */
  readonly at: string;
}

/**
 * One way of reaching people (Teams, e-mail, signed webhook). `deliver` makes one attempt, bounded
 * in time, and throws a DrError on failure: `Throttled` (with retryAfterSeconds when the receiver
 * said), `Transient` (5xx, timeout, network) or a non-retryable code (the request itself is wrong).
 * The notification worker decides about retries; a channel never retries by itself.
 */
export interface NotificationChannel {
  readonly name: ChannelName;
  deliver(event: NotificationEvent): Promise<void>;
}
