import type { Message } from "rhea";
import type { Clock } from "../../../shared/ports/clock.js";
import { CONDITIONS, PeerError, notImplemented } from "./peerError.js";
import { SequenceHeap } from "./sequenceHeap.js";
import { asRecord, optionalText } from "./values.js";

/** Who holds a lock: a consumer link. A lock outlives its link (as on Service Bus) until it expires. */
export interface LockHolder {
  readonly live: boolean;
}

export interface EntityMessage {
  readonly sequenceNumber: number;
  readonly messageId: string | undefined;
  /** The message as the client sent it; broker annotations are added on each delivery. */
  message: Message;
  /** When it becomes (or became) available: its scheduled enqueue time, or the time it was sent. */
  readonly availableAt: number;
  state: "scheduled" | "active" | "locked";
  deliveryCount: number;
  lock:
    | {
        readonly token: string;
        until: number;
        readonly holder: LockHolder;
        /** Until when (simulated time) the holder's host renews the lock by itself; see `renewAutomatically`. */
        renewsUntil?: number;
      }
    | undefined;
}

export interface DeadLetterRecord {
  readonly messageId: string | undefined;
  readonly message: Message;
  readonly reason: string;
  readonly description: string;
}

export interface EntityStats {
  sent: number;
  duplicatesDropped: number;
  scheduled: number;
  delivered: number;
  completed: number;
  abandoned: number;
  lockExpired: number;
  deadLettered: number;
}

export interface EntitySnapshot {
  readonly active: number;
  readonly scheduled: number;
  /** Locked by a link that is still attached: its receiver will settle it. */
  readonly lockedLive: number;
  /** Locked by a link that went away (a crashed receiver): it comes back when the lock expires. */
  readonly lockedOrphaned: number;
  /** The next instant something changes by itself: a scheduled message comes due or an orphaned lock expires. */
  readonly nextDeadline: number | undefined;
}

/** A queue's broker-side state as data, for a namespace that outlives its process (entityState.ts stores it). */
export interface EntityState {
  readonly nextSequenceNumber: number;
  readonly messages: readonly {
    readonly sequenceNumber: number;
    readonly messageId: string | undefined;
    readonly message: Message;
    readonly availableAt: number;
    readonly state: EntityMessage["state"];
    readonly deliveryCount: number;
  }[];
  /** The duplicate-detection history: message id, first send time and sequence number, in send order. */
  readonly seen: readonly (readonly [string, { readonly at: number; readonly sequenceNumber: number }])[];
  readonly stats: EntityStats;
  readonly deadLetterLog: readonly DeadLetterRecord[];
}

export interface QueueEntityOptions {
  readonly path: string;
  readonly clock: Clock;
  readonly lockDurationMs: number;
  /** A released lock at this delivery count dead-letters the message; absent on a dead-letter queue. */
  readonly maxDeliveryCount?: number;
  /** Duplicate detection history; absent: no duplicate detection. */
  readonly duplicateWindowMs?: number;
  readonly deadLetterQueue?: QueueEntity;
  readonly onChange: () => void;
}

const SCHEDULED_ENQUEUE_TIME = "x-opt-scheduled-enqueue-time";
/** Annotations the broker owns; whatever a client put there is replaced on delivery. */
const BROKER_ANNOTATIONS = [
  "x-opt-sequence-number",
  "x-opt-enqueued-time",
  "x-opt-locked-until",
  "x-opt-lock-token",
  "x-opt-message-state",
  "x-opt-enqueue-sequence-number",
];

/**
 * One Service Bus queue's broker-side state, on the simulated clock: duplicate detection by message
 * id within a window (scheduled messages included), scheduled enqueue, peek-lock with expiry,
 * delivery count, dead-lettering at the max delivery count. Knows nothing of AMQP framing.
 */
export class QueueEntity {
  readonly path: string;
  readonly stats: EntityStats = { sent: 0, duplicatesDropped: 0, scheduled: 0, delivered: 0, completed: 0, abandoned: 0, lockExpired: 0, deadLettered: 0 };
  readonly deadLetterLog: DeadLetterRecord[] = [];
  private readonly all = new Map<number, EntityMessage>();
  private readonly active = new SequenceHeap<EntityMessage>();
  /** Scheduled messages in due order (time, then sequence number). */
  private readonly scheduled: EntityMessage[] = [];
  private readonly locked = new Map<string, EntityMessage>();
  /** message id -> first send time and sequence number, in send order (the clock never goes back). */
  private readonly seen = new Map<string, { at: number; sequenceNumber: number }>();
  private nextSequenceNumber = 1;

  constructor(private readonly options: QueueEntityOptions) {
    this.path = options.path;
  }

  get deadLetterQueue(): QueueEntity | undefined {
    return this.options.deadLetterQueue;
  }

  /** Accepts a sent or scheduled message; a repeated message id inside the window is dropped, as the service does. */
  enqueue(message: Message): { sequenceNumber: number; duplicate: boolean } {
    const now = this.now();
    const messageId = messageIdKey(message);
    if (messageId !== undefined && this.options.duplicateWindowMs !== undefined) {
      this.forgetOlderThan(now - this.options.duplicateWindowMs);
      const first = this.seen.get(messageId);
      if (first) {
        this.stats.duplicatesDropped++;
        return { sequenceNumber: first.sequenceNumber, duplicate: true };
      }
    }
    const sequenceNumber = this.nextSequenceNumber++;
    if (messageId !== undefined && this.options.duplicateWindowMs !== undefined) this.seen.set(messageId, { at: now, sequenceNumber });
    const scheduledAt = scheduledEnqueueTime(message);
    const entry: EntityMessage = {
      sequenceNumber,
      messageId,
      message: withoutBrokerAnnotations(message),
      availableAt: scheduledAt ?? now,
      state: "active",
      deliveryCount: 0,
      lock: undefined,
    };
    this.all.set(sequenceNumber, entry);
    this.stats.sent++;
    if (scheduledAt !== undefined && scheduledAt > now) {
      entry.state = "scheduled";
      this.scheduled.splice(this.scheduledIndex(entry), 0, entry);
      this.stats.scheduled++;
    } else {
      this.active.push(entry);
    }
    this.options.onChange();
    return { sequenceNumber, duplicate: false };
  }

  /** Messages available to receivers now (call `refresh` first to count what just came due). */
  get available(): number {
    return this.active.size;
  }

  /** Takes the next available message under a new lock, or nothing. */
  lockNext(holder: LockHolder, token: string): EntityMessage | undefined {
    const entry = this.active.pop();
    if (!entry) return undefined;
    entry.state = "locked";
    entry.deliveryCount++;
    entry.lock = { token, until: this.now() + this.options.lockDurationMs, holder };
    this.locked.set(token, entry);
    this.stats.delivered++;
    this.options.onChange();
    return entry;
  }

  complete(token: string): void {
    const entry = this.lockedEntry(token);
    this.remove(entry);
    this.stats.completed++;
    this.options.onChange();
  }

  /** Abandon: the message is available again at once; `propertiesToModify` update its application properties. */
  abandon(token: string, propertiesToModify?: Readonly<Record<string, unknown>>): void {
    const entry = this.lockedEntry(token);
    if (propertiesToModify)
      entry.message = { ...entry.message, application_properties: { ...asRecord(entry.message.application_properties), ...propertiesToModify } };
    this.stats.abandoned++;
    this.release(entry);
    this.options.onChange();
  }

  deadLetter(token: string, reason: string | undefined, description: string | undefined, propertiesToModify?: Readonly<Record<string, unknown>>): void {
    const entry = this.lockedEntry(token);
    this.moveToDeadLetterQueue(entry, reason ?? "", description ?? "", propertiesToModify);
    this.options.onChange();
  }

  defer(_token: string): never {
    throw notImplemented("deferral (receive-by-sequence-number is not emulated either)");
  }

  /** Extends the lock by the lock duration from now and returns its new expiry. */
  renewLock(token: string): number {
    const entry = this.lockedEntry(token);
    const lock = entry.lock as NonNullable<EntityMessage["lock"]>;
    lock.until = this.now() + this.options.lockDurationMs;
    this.options.onChange();
    return lock.until;
  }

  /**
   * The Functions host's Service Bus processor renews a running invocation's lock "within" its
   * maxAutoLockRenewalDuration, 5 min by default (learn.microsoft.com/dotnet/api/
   * azure.messaging.servicebus.servicebusprocessor.maxautolockrenewalduration), on its own timer in
   * real time. The simulated clock can jump past a lock's expiry between two such renewals (another
   * queue's drain skipping idle time), where the host would have renewed on the way.
   * Until `instant`, a live holder's lock found expired is renewed instead of released.
   */
  renewAutomatically(token: string, instant: number): void {
    const lock = this.lockedEntry(token).lock as NonNullable<EntityMessage["lock"]>;
    lock.renewsUntil = instant;
  }

  cancelScheduled(sequenceNumbers: readonly number[]): void {
    for (const sequenceNumber of sequenceNumbers) {
      const entry = this.all.get(sequenceNumber);
      if (!entry || entry.state !== "scheduled")
        throw new PeerError(CONDITIONS.messageNotFound, `no scheduled message with sequence number ${sequenceNumber} in '${this.path}'`);
    }
    for (const sequenceNumber of sequenceNumbers) this.remove(this.all.get(sequenceNumber) as EntityMessage);
    this.options.onChange();
  }

  /** Messages from a sequence number on, in order, whatever their state (as Service Bus peek does). */
  peek(fromSequenceNumber: number, count: number): EntityMessage[] {
    this.refresh();
    return [...this.all.values()]
      .filter((e) => e.sequenceNumber >= fromSequenceNumber)
      .sort((a, b) => a.sequenceNumber - b.sequenceNumber)
      .slice(0, count);
  }

  /** Brings the entity up to the clock: due scheduled messages become active, expired locks are released. */
  refresh(): void {
    const now = this.now();
    let due = 0;
    while (due < this.scheduled.length && (this.scheduled[due] as EntityMessage).availableAt <= now) due++;
    for (const entry of this.scheduled.splice(0, due)) {
      entry.state = "active";
      this.active.push(entry);
    }
    let expired = 0;
    for (const entry of this.locked.values()) {
      if ((entry.lock?.until ?? Infinity) > now) continue;
      if (entry.lock?.holder.live && now < (entry.lock.renewsUntil ?? 0)) {
        entry.lock.until = now + this.options.lockDurationMs;
        continue;
      }
      this.stats.lockExpired++;
      this.release(entry);
      expired++;
    }
    if (due + expired > 0) this.options.onChange();
  }

  snapshot(): EntitySnapshot {
    let lockedLive = 0;
    let nextDeadline = this.scheduled[0]?.availableAt;
    for (const entry of this.locked.values()) {
      if (!entry.lock) continue;
      if (entry.lock.holder.live) lockedLive++;
      else nextDeadline = Math.min(nextDeadline ?? Infinity, entry.lock.until);
    }
    return { active: this.active.size, scheduled: this.scheduled.length, lockedLive, lockedOrphaned: this.locked.size - lockedLive, nextDeadline };
  }

  /** The earliest instant anything times out by itself, live locks included (for the peer's wake-up timer). */
  nextTimeout(): number | undefined {
    let next = this.scheduled[0]?.availableAt;
    for (const entry of this.locked.values()) next = Math.min(next ?? Infinity, entry.lock?.until ?? Infinity);
    return next;
  }

  get size(): number {
    return this.all.size;
  }

  /** Everything the broker keeps for this entity; a lock is kept only as the fact that the message was locked. */
  exportState(): EntityState {
    return {
      nextSequenceNumber: this.nextSequenceNumber,
      messages: [...this.all.values()].map((e) => ({
        sequenceNumber: e.sequenceNumber,
        messageId: e.messageId,
        message: e.message,
        availableAt: e.availableAt,
        state: e.state,
        deliveryCount: e.deliveryCount,
      })),
      seen: [...this.seen.entries()],
      stats: { ...this.stats },
      deadLetterLog: [...this.deadLetterLog],
    };
  }

  /**
   * Takes back a state `exportState` gave, into an empty entity (restore its dead-letter queue first).
   * A message locked when the state was saved comes back without its lock, delivery count kept, as
   * when a receiver's lock expires: "When the lock expires, the DeliveryCount is incremented and the
   * message is again available for retrieval" (learn.microsoft.com, ServiceBusReceivedMessage.LockedUntil;
   * this peer counts the delivery when it hands the message out). The receiver that held it is gone with
   * the process, so its lock is lost; at the max delivery count the message is dead-lettered, as on expiry.
   */
  restoreState(state: EntityState): void {
    if (this.all.size > 0 || this.nextSequenceNumber !== 1) throw new Error(`'${this.path}' already has messages: a state is restored into a new entity`);
    this.nextSequenceNumber = state.nextSequenceNumber;
    for (const [id, first] of state.seen) this.seen.set(id, { ...first });
    Object.assign(this.stats, state.stats);
    this.deadLetterLog.push(...state.deadLetterLog);
    const lost: EntityMessage[] = [];
    for (const saved of [...state.messages].sort((a, b) => a.sequenceNumber - b.sequenceNumber)) {
      const entry: EntityMessage = { ...saved, lock: undefined };
      this.all.set(entry.sequenceNumber, entry);
      if (entry.state === "scheduled") this.scheduled.splice(this.scheduledIndex(entry), 0, entry);
      else if (entry.state === "active") this.active.push(entry);
      else lost.push(entry);
    }
    for (const entry of lost) {
      entry.lock = { token: `restored:${entry.sequenceNumber}`, until: this.now(), holder: { live: false } };
      this.locked.set(entry.lock.token, entry);
      this.stats.lockExpired++;
      this.release(entry);
    }
    this.options.onChange();
  }

  /** A message that comes back from a lock: active again, or dead-lettered once it has used its deliveries. */
  private release(entry: EntityMessage): void {
    this.locked.delete((entry.lock as NonNullable<EntityMessage["lock"]>).token);
    entry.lock = undefined;
    const max = this.options.maxDeliveryCount;
    if (max !== undefined && entry.deliveryCount >= max) {
      this.moveToDeadLetterQueue(entry, "MaxDeliveryCountExceeded", `Message could not be consumed after ${max} delivery attempts.`);
      return;
    }
    entry.state = "active";
    this.active.push(entry);
  }

  private moveToDeadLetterQueue(entry: EntityMessage, reason: string, description: string, propertiesToModify?: Readonly<Record<string, unknown>>): void {
    const dlq = this.options.deadLetterQueue;
    if (!dlq) throw new PeerError(CONDITIONS.notAllowed, `'${this.path}' is a dead-letter queue: its messages cannot be dead-lettered again`);
    this.remove(entry);
    const message: Message = {
      ...entry.message,
      application_properties: {
        ...asRecord(entry.message.application_properties),
        ...propertiesToModify,
        DeadLetterReason: reason,
        DeadLetterErrorDescription: description,
      },
    };
    this.stats.deadLettered++;
    this.deadLetterLog.push({ messageId: entry.messageId, message, reason, description });
    dlq.adopt(message, entry.deliveryCount);
  }

  /** Takes in a message dead-lettered from the parent queue (no duplicate detection, no schedule). */
  private adopt(message: Message, deliveryCount: number): void {
    const annotations = { ...asRecord(message.message_annotations) };
    delete annotations[SCHEDULED_ENQUEUE_TIME];
    const entry: EntityMessage = {
      sequenceNumber: this.nextSequenceNumber++,
      messageId: messageIdKey(message),
      message: { ...message, message_annotations: annotations },
      availableAt: this.now(),
      state: "active",
      deliveryCount,
      lock: undefined,
    };
    this.all.set(entry.sequenceNumber, entry);
    this.active.push(entry);
    this.stats.sent++;
    this.options.onChange();
  }

  private lockedEntry(token: string): EntityMessage {
    this.refresh();
    const entry = this.locked.get(token);
    if (!entry)
      throw new PeerError(
        CONDITIONS.messageLockLost,
        `The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue '${this.path}'.`,
      );
    return entry;
  }

  private remove(entry: EntityMessage): void {
    // Only scheduled or locked messages are removed; active ones leave through lockNext.
    this.all.delete(entry.sequenceNumber);
    if (entry.state === "scheduled") this.scheduled.splice(this.scheduled.indexOf(entry), 1);
    if (entry.lock) this.locked.delete(entry.lock.token);
    entry.lock = undefined;
  }

  /** Where a scheduled message goes to keep due order (binary search). */
  private scheduledIndex(entry: EntityMessage): number {
    let low = 0;
    let high = this.scheduled.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const other = this.scheduled[middle] as EntityMessage;
      if (other.availableAt < entry.availableAt || (other.availableAt === entry.availableAt && other.sequenceNumber < entry.sequenceNumber)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private forgetOlderThan(cutoff: number): void {
    for (const [id, first] of this.seen) {
      if (first.at > cutoff) break;
      this.seen.delete(id);
    }
  }

  private now(): number {
    return this.options.clock.now().getTime();
  }
}

function messageIdKey(message: Message): string | undefined {
  const id: unknown = message.message_id;
  return Buffer.isBuffer(id) ? `binary:${id.toString("hex")}` : optionalText(id);
}

function scheduledEnqueueTime(message: Message): number | undefined {
  const value: unknown = asRecord(message.message_annotations)[SCHEDULED_ENQUEUE_TIME];
  if (value === undefined || value === null) return undefined;
  const at = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Number.NaN;
  if (!Number.isFinite(at)) throw new PeerError(CONDITIONS.argumentError, `${SCHEDULED_ENQUEUE_TIME} must be a timestamp`);
  return at;
}

function withoutBrokerAnnotations(message: Message): Message {
  const annotations = { ...asRecord(message.message_annotations) };
  for (const key of BROKER_ANNOTATIONS) delete annotations[key];
  return { ...message, message_annotations: annotations };
}
