import type { ChannelName } from "../ports/notificationChannel.js";
import type { Logger } from "../ports/logger.js";
import type { NotifierPort, RunEventKind } from "../ports/notifier.js";
import type { OutgoingMessage, QueuePort } from "../ports/queue.js";
import { notificationMessageId, toNotificationEvent, type NotificationMessage } from "./notificationMessage.js";

export interface QueueNotifierOptions {
  readonly queue: QueuePort<NotificationMessage>;
  /** Which kinds each channel receives (NotificationSettings.routes). */
  readonly routes: ReadonlyMap<ChannelName, ReadonlySet<RunEventKind>>;
  readonly runPageBaseUrl?: string;
  readonly log: Logger;
  /** Longest a notify call waits for the queue before it gives up (and logs). */
  readonly enqueueTimeoutMs?: number;
}

export const DEFAULT_ENQUEUE_TIMEOUT_MS = 5_000;

/**
 * The notifier the engine uses. It never calls a channel: it enqueues one message per (event,
 * channel) with a deterministic id, so a repeat of the event is dropped by the queue's duplicate
 * detection, and the notification worker delivers with its own retries. It never throws, and
 * waits at most `enqueueTimeoutMs` for the queue, so a failover step is never held up by it.
 */
export function createQueueNotifier(options: QueueNotifierOptions): NotifierPort {
  const timeoutMs = options.enqueueTimeoutMs ?? DEFAULT_ENQUEUE_TIMEOUT_MS;
  return {
    async notify(runEvent) {
      const event = toNotificationEvent(runEvent, options.runPageBaseUrl);
      const channels = [...options.routes].filter(([, kinds]) => kinds.has(event.kind)).map(([channel]) => channel);
      const keys = { runId: event.runId, eventId: event.id, kind: event.kind };
      options.log.info("run event", { ...keys, summary: event.summary, channels });
      if (channels.length === 0) return;
      const messages: OutgoingMessage<NotificationMessage>[] = channels.map((channel) => ({
        messageId: notificationMessageId(event.id, channel, 0),
        body: { event, channel, attempt: 0 },
      }));
      try {
        await withTimeout(options.queue.send(messages), timeoutMs);
      } catch (error) {
        options.log.error("notification not enqueued", { ...keys, channels, error: error instanceof Error ? error.message : String(error) });
      }
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the notification queue did not accept the messages within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
