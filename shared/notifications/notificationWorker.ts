import type { Clock } from "../ports/clock.js";
import { DrError, isDrError } from "../ports/errors.js";
import type { Logger } from "../ports/logger.js";
import type { ChannelName, NotificationChannel } from "../ports/notificationChannel.js";
import type { DeliveryRecord, NotificationStore } from "../ports/notificationStore.js";
import type { QueuePort } from "../ports/queue.js";
import { notificationMessageId, type NotificationMessage } from "./notificationMessage.js";

export interface DeliveryPolicy {
  /** Attempts per (event, channel), the first included. */
  readonly maxAttempts: number;
  /** First backoff after a transient failure; doubles per attempt, with jitter, up to the cap. */
  readonly baseSeconds: number;
  readonly capSeconds: number;
  /** A receiver's Retry-After is honoured up to this; beyond it the worker waits this long. */
  readonly maxRetryAfterSeconds: number;
}

/** 15 to 30 minutes of trying: long enough to ride out a throttled or restarting receiver during a run. */
export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = { maxAttempts: 10, baseSeconds: 5, capSeconds: 600, maxRetryAfterSeconds: 3_600 };

export interface NotificationWorkerDeps {
  readonly channels: Partial<Record<ChannelName, NotificationChannel>>;
  /** The notification queue itself: retries are scheduled messages on it. */
  readonly queue: QueuePort<NotificationMessage>;
  readonly store: NotificationStore;
  readonly clock: Clock;
  readonly log: Logger;
  readonly policy?: Partial<DeliveryPolicy>;
  /** Source of jitter in [0, 1); tests pin it. */
  readonly random?: () => number;
}

export interface NotificationWorker {
  /**
   * The notification queue trigger's work: one attempt for one (event, channel). A channel failure
   * never throws: the worker schedules the retry itself (Retry-After on 429, backoff with jitter on
   * 5xx and timeouts) or gives up and records why. It throws only when its own state or queue
   * fails, so the host redelivers the message.
   */
  handle(message: NotificationMessage): Promise<void>;
}

export function createNotificationWorker(deps: NotificationWorkerDeps): NotificationWorker {
  const policy: DeliveryPolicy = { ...DEFAULT_DELIVERY_POLICY, ...deps.policy };
  const random = deps.random ?? Math.random;
  const { store, clock, log } = deps;

  async function handle(message: NotificationMessage): Promise<void> {
    const { event, channel, attempt } = message;
    const keys = { runId: event.runId, eventId: event.id, kind: event.kind, channel, attempt };
    const previous = await store.getDelivery(event.runId, event.id, channel);
    if (previous && (previous.status !== "retrying" || previous.attempts > attempt)) {
      // Delivered or given up already, or this attempt already failed and its retry is queued.
      log.info("notification already handled, skipped", { ...keys, status: previous.status, attempts: previous.attempts });
      return;
    }
    const record = (patch: Pick<DeliveryRecord, "status"> & Partial<DeliveryRecord>): DeliveryRecord => ({
      runId: event.runId,
      eventId: event.id,
      kind: event.kind,
      channel,
      attempts: attempt + 1,
      updatedAt: clock.now().toISOString(),
      ...patch,
    });

    const target = deps.channels[channel];
    try {
      if (!target) throw new DrError("InvalidInput", `channel ${channel} is not configured (any more)`);
      await target.deliver(event);
    } catch (error) {
      return failed(message, keys, record, toChannelError(error));
    }
    log.info("notification delivered", keys);
    await bestEffort(keys, async () => {
      await store.putDelivery(record({ status: "delivered" }));
      await store.recordChannelOutcome(channel, { ok: true, at: clock.now().toISOString(), eventId: event.id });
    });
  }

  async function failed(
    message: NotificationMessage,
    keys: Record<string, unknown>,
    record: (patch: Pick<DeliveryRecord, "status"> & Partial<DeliveryRecord>) => DeliveryRecord,
    error: DrError,
  ): Promise<void> {
    const { event, channel, attempt } = message;
    const retry = error.retryable && attempt + 1 < policy.maxAttempts;
    const reason = error.message;
    if (retry) {
      const delaySeconds = retryDelay(error, attempt);
      const deliverAt = new Date(clock.now().getTime() + delaySeconds * 1000);
      // The retry is sent before anything is recorded: a crash in between redelivers this message,
      // and the same retry id is dropped by duplicate detection.
      await deps.queue.send([{ messageId: notificationMessageId(event.id, channel, attempt + 1), body: { ...message, attempt: attempt + 1 }, deliverAt }]);
      log.warn("notification failed, will retry", { ...keys, code: error.code, error: reason, retryInSeconds: Math.round(delaySeconds) });
      await bestEffort(keys, () => store.putDelivery(record({ status: "retrying", lastError: reason, nextAttemptAt: deliverAt.toISOString() })));
    } else {
      log.error("notification given up", { ...keys, code: error.code, error: reason, retryable: error.retryable });
      await bestEffort(keys, () => store.putDelivery(record({ status: "failed", lastError: reason })));
    }
    await bestEffort(keys, () => store.recordChannelOutcome(channel, { ok: false, at: clock.now().toISOString(), eventId: event.id, error: reason }));
  }

  function retryDelay(error: DrError, attempt: number): number {
    if (error.code === "Throttled" && error.retryAfterSeconds !== undefined) return Math.min(Math.max(error.retryAfterSeconds, 1), policy.maxRetryAfterSeconds);
    const ceiling = Math.min(policy.capSeconds, policy.baseSeconds * 2 ** attempt);
    return ceiling / 2 + random() * (ceiling / 2); // jitter keeps the retries of many events apart
  }

  /** Recording is for people and the health check; failing to record never re-posts a delivered message. */
  async function bestEffort(keys: Record<string, unknown>, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (error) {
      log.warn("notification state not recorded", { ...keys, error: error instanceof Error ? error.message : String(error) });
    }
  }

  return { handle };
}

function toChannelError(error: unknown): DrError {
  if (isDrError(error)) return error;
  // A bug or an unexpected throw in a channel: retried a bounded number of times, like the engine does.
  return new DrError("Transient", error instanceof Error ? error.message : String(error), { cause: error });
}
