import type { Clock } from "../../shared/ports/clock.js";
import type { TriggerSettings } from "./hostSettings.js";
import { newLock } from "./peer/lockToken.js";
import { decodeBody } from "./peer/messageCodec.js";
import type { EntityMessage, LockHolder, QueueEntity } from "./peer/queueEntity.js";
import { asRecord, optionalText } from "./peer/values.js";
import type { ServiceBusPeer } from "./peer/serviceBusPeer.js";

/** What the Functions host puts in `context.triggerMetadata` for a Service Bus message (the part handlers use). */
export interface TriggerMetadata {
  readonly messageId: string | undefined;
  /** As the host reports it: 1 on the first delivery. */
  readonly deliveryCount: number;
  readonly enqueuedTimeUtc: Date;
  readonly deadLetterReason: string | undefined;
  readonly deadLetterErrorDescription: string | undefined;
}

export interface TriggerFunction {
  /** The queue, or its dead-letter queue as `<queue>/$DeadLetterQueue` (as a function binding names it). */
  readonly queueName: string;
  /** The function: returning completes the message, throwing abandons it. */
  readonly handler: (body: unknown, metadata: TriggerMetadata) => Promise<void>;
}

export interface TriggerEmulator {
  /** Invocations running or being settled. */
  readonly inFlight: number;
  readonly invocations: { started: number; succeeded: number; failed: number };
  /** What the host would log as listener errors: lock renewal and settlement failures. */
  readonly errors: readonly Error[];
  close(): Promise<void>;
}

export interface TriggerEmulatorOptions {
  readonly peer: ServiceBusPeer;
  /** The clock the peer runs on (lock expiry is simulated time). */
  readonly clock: Clock;
  readonly settings: TriggerSettings;
  readonly functions: readonly TriggerFunction[];
  /** Called whenever an invocation starts or ends. */
  readonly onChange?: () => void;
}

const DEAD_LETTER_SUFFIX = "/$DeadLetterQueue";
/** The host renews a lock this long before it expires (the SDK's margin). */
const RENEW_MARGIN_MS = 10_000;

/**
 * Plays the Functions Service Bus trigger with host.json's settings: the host's listener takes
 * messages from the broker under peek-lock, runs up to maxConcurrentCalls invocations per
 * function, renews locks for up to maxAutoLockRenewalDuration, and (autoCompleteMessages)
 * completes on success and abandons on an exception. It attaches to the peer's entities in
 * process: the host's own client is .NET, so no JS SDK receiver would be more faithful, and the
 * wire would only add cost. SDK receivers on the peer are proven by their own tests.
 */
export function startTriggerEmulator(options: TriggerEmulatorOptions): TriggerEmulator {
  const { settings, peer, clock } = options;
  // Settings that would change how handlers must behave are refused rather than half-emulated.
  if (!settings.autoCompleteMessages)
    throw new Error("host.json autoCompleteMessages=false is not emulated: handlers here get no message actions to settle with");
  if (settings.prefetchCount !== 0) throw new Error(`host.json prefetchCount=${settings.prefetchCount} is not emulated (only 0)`);
  const errors: Error[] = [];
  const invocations = { started: 0, succeeded: 0, failed: 0 };
  let inFlight = 0;
  let closed = false;
  const holder: LockHolder = {
    get live() {
      return !closed;
    },
  };
  const listeners = options.functions.map((fn) => ({ fn, entity: entityFor(peer, fn.queueName), running: 0 }));
  const changed = (): void => options.onChange?.();

  function take(): void {
    if (closed) return;
    for (const listener of listeners) {
      listener.entity.refresh();
      while (listener.running < settings.maxConcurrentCalls && listener.entity.available > 0) {
        const entry = listener.entity.lockNext(holder, newLock().token);
        if (!entry) break;
        listener.running++;
        inFlight++;
        invocations.started++;
        void invoke(listener.fn, listener.entity, entry).finally(() => {
          listener.running--;
          inFlight--;
          changed();
          wake();
        });
      }
    }
  }

  async function invoke(fn: TriggerFunction, entity: QueueEntity, entry: EntityMessage): Promise<void> {
    const token = (entry.lock as NonNullable<EntityMessage["lock"]>).token;
    const stopRenewing = renewWhileRunning(entity, entry, token);
    let failed = false;
    try {
      await fn.handler(decodeBody(entry.message), metadataOf(entry));
    } catch {
      failed = true; // the host logs the exception and abandons; the handler's own logs carry the detail
    } finally {
      stopRenewing();
    }
    try {
      if (failed) entity.abandon(token);
      else entity.complete(token);
      invocations[failed ? "failed" : "succeeded"]++;
    } catch (error) {
      errors.push(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** The host's automatic lock renewal: shortly before each expiry, until the configured maximum. */
  function renewWhileRunning(entity: QueueEntity, entry: EntityMessage, token: string): () => void {
    const renewUntil = Date.now() + settings.maxAutoLockRenewalDurationMs;
    let timer: NodeJS.Timeout | undefined;
    const schedule = (): void => {
      const remaining = (entry.lock?.until ?? 0) - clock.now().getTime();
      timer = setTimeout(renew, Math.max(remaining - RENEW_MARGIN_MS, remaining / 2, 0)).unref();
    };
    const renew = (): void => {
      if (closed || Date.now() >= renewUntil) return;
      try {
        entity.renewLock(token);
        schedule();
      } catch (error) {
        errors.push(error instanceof Error ? error : new Error(String(error)));
      }
    };
    if (settings.maxAutoLockRenewalDurationMs > 0) {
      // The same window on the simulated clock, for jumps of that clock between two renewals.
      entity.renewAutomatically(token, clock.now().getTime() + settings.maxAutoLockRenewalDurationMs);
      schedule();
    }
    return () => clearTimeout(timer);
  }

  // The listener looks again after every broker change (coalesced); `take` is cheap when nothing is available.
  let scheduled = false;
  const wake = (): void => {
    if (scheduled || closed) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      take();
    });
  };
  const unsubscribe = peer.onChange(wake);
  wake();

  return {
    get inFlight() {
      return inFlight;
    },
    invocations,
    errors,
    close() {
      closed = true;
      unsubscribe();
      return Promise.resolve();
    },
  };
}

function entityFor(peer: ServiceBusPeer, queueName: string): QueueEntity {
  if (!queueName.endsWith(DEAD_LETTER_SUFFIX)) return peer.queue(queueName);
  const dlq = peer.queue(queueName.slice(0, -DEAD_LETTER_SUFFIX.length)).deadLetterQueue;
  if (!dlq) throw new Error(`'${queueName}' has no dead-letter queue`);
  return dlq;
}

function metadataOf(entry: EntityMessage): TriggerMetadata {
  const properties = asRecord(entry.message.application_properties);
  return {
    messageId: entry.messageId,
    deliveryCount: entry.deliveryCount,
    enqueuedTimeUtc: new Date(entry.availableAt),
    deadLetterReason: optionalText(properties.DeadLetterReason),
    deadLetterErrorDescription: optionalText(properties.DeadLetterErrorDescription),
  };
}
