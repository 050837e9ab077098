import type { OutgoingMessage, QueuePort, StepMessage } from "../shared/ports/queue.js";
import type { SimulatedClock } from "./simulatedClock.js";

export interface InProcessQueueOptions {
  readonly clock: SimulatedClock;
  /** Service Bus moves a message to the dead-letter queue on this delivery (host.json / Bicep). */
  readonly maxDeliveryCount: number;
  /** Service Bus duplicate detection history window. */
  readonly duplicateWindowMs: number;
}

export interface DrainOptions<T = StepMessage> {
  /** The trigger's handler: returning completes the message, throwing abandons it. */
  readonly handler: (message: T) => Promise<void>;
  readonly onDeadLetter: (message: T, reason: string) => Promise<void>;
  /** host.json maxConcurrentCalls. */
  readonly concurrency: number;
}

interface Envelope<T> {
  readonly messageId: string;
  readonly body: T;
  visibleAt: number;
  deliveryCount: number;
  lastError?: string;
}

export interface QueueStats {
  sent: number;
  duplicatesDropped: number;
  delivered: number;
  abandoned: number;
  deadLettered: number;
}

/**
 * The step queue with Service Bus semantics, in process: duplicate detection by message id within
 * a window, scheduled delivery, peek-lock (a throwing handler abandons and the message comes back),
 * delivery count and dead-lettering at the max delivery count. T is the message body (step
 * messages by default; the notification queue uses the same class).
 */
export class InProcessQueue<T = StepMessage> implements QueuePort<T> {
  private readonly pending: Envelope<T>[] = [];
  private readonly seen = new Map<string, number>();
  readonly deadLetters: { message: T; reason: string }[] = [];
  readonly stats: QueueStats = { sent: 0, duplicatesDropped: 0, delivered: 0, abandoned: 0, deadLettered: 0 };

  constructor(private readonly options: InProcessQueueOptions) {}

  send(messages: readonly OutgoingMessage<T>[]): Promise<void> {
    const now = this.options.clock.now().getTime();
    for (const message of messages) {
      const firstSeen = this.seen.get(message.messageId);
      if (firstSeen !== undefined && now - firstSeen < this.options.duplicateWindowMs) {
        this.stats.duplicatesDropped++;
        continue;
      }
      this.seen.set(message.messageId, now);
      this.pending.push({ messageId: message.messageId, body: structuredClone(message.body), visibleAt: message.deliverAt?.getTime() ?? now, deliveryCount: 0 });
      this.stats.sent++;
    }
    return Promise.resolve();
  }

  get size(): number {
    return this.pending.length;
  }

  /**
   * Plays the Functions Service Bus trigger until the queue is empty: delivers due messages up to
   * the concurrency limit and, when nothing is due or running, moves the clock to the next one.
   */
  async drain({ handler, onDeadLetter, concurrency }: DrainOptions<T>): Promise<void> {
    const running = new Set<Promise<void>>();
    for (;;) {
      const now = this.options.clock.now().getTime();
      const due = this.pending.filter((e) => e.visibleAt <= now).sort((a, b) => a.visibleAt - b.visibleAt);
      for (const envelope of due.slice(0, concurrency - running.size)) {
        this.pending.splice(this.pending.indexOf(envelope), 1);
        const delivery = this.deliver(envelope, handler, onDeadLetter).finally(() => running.delete(delivery));
        running.add(delivery);
      }
      if (running.size > 0) {
        await Promise.race(running);
        continue;
      }
      if (this.pending.length === 0) return;
      this.options.clock.advanceTo(new Date(Math.min(...this.pending.map((e) => e.visibleAt))));
    }
  }

  private async deliver(envelope: Envelope<T>, handler: DrainOptions<T>["handler"], onDeadLetter: DrainOptions<T>["onDeadLetter"]): Promise<void> {
    envelope.deliveryCount++;
    this.stats.delivered++;
    try {
      await handler(structuredClone(envelope.body));
    } catch (error) {
      envelope.lastError = error instanceof Error ? error.message : String(error);
      if (envelope.deliveryCount >= this.options.maxDeliveryCount) {
        const reason = `MaxDeliveryCountExceeded after ${envelope.deliveryCount} deliveries: ${envelope.lastError}`;
        this.stats.deadLettered++;
        this.deadLetters.push({ message: envelope.body, reason });
        await onDeadLetter(structuredClone(envelope.body), reason);
        return;
      }
      this.stats.abandoned++;
      envelope.visibleAt = this.options.clock.now().getTime(); // abandon: available again at once
      this.pending.push(envelope);
    }
  }
}
