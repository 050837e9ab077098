import type { SimulatedClock } from "../simulatedClock.js";
import type { TriggerSettings } from "./hostSettings.js";
import { ChangeSignal } from "./peer/changeSignal.js";
import type { EntitySnapshot, QueueEntity } from "./peer/queueEntity.js";
import type { ServiceBusPeer } from "./peer/serviceBusPeer.js";
import { startTriggerEmulator, type TriggerMetadata } from "./triggerEmulator.js";

/** How a drain plays a queue's function and its dead-letter function. */
export interface DrainOptions<T> {
  /** The queue's function: returning completes the message, throwing abandons it. */
  readonly handler: (message: T) => Promise<void>;
  /** The dead-letter queue's function; if it throws, the drain stops with that error. */
  readonly onDeadLetter: (message: T, reason: string) => Promise<void>;
  /** host.json maxConcurrentCalls. */
  readonly concurrency: number;
}

export interface DrainDeps<T> {
  readonly peer: ServiceBusPeer;
  readonly queue: QueueEntity;
  readonly clock: SimulatedClock;
  readonly settings: TriggerSettings;
  /** Validates a body as the function does before handling it. */
  readonly parse: (body: unknown) => T;
  /** Fail instead of hanging when nothing moves for this long while messages wait and no handler runs. */
  readonly stallTimeoutMs: number;
  /** Stops the drain between deliveries (the host shutting down): handlers running finish, nothing new starts. */
  readonly signal?: AbortSignal;
}

/** How long a stopped drain waits for the handlers already running. */
const STOP_GRACE_MS = 5_000;

/**
 * Runs a queue's function and its dead-letter function through the trigger emulator until the
 * queue and its dead-letter queue are empty. While messages are available, or locked by a live
 * receiver, it waits for the peer or the trigger to move; when nothing is due and nothing runs,
 * it moves the simulated clock to the next deadline (a scheduled message, an orphaned lock).
 */
export async function drainQueue<T>(deps: DrainDeps<T>, options: DrainOptions<T>): Promise<void> {
  const { peer, queue, clock, parse } = deps;
  const deadLetterQueue = queue.deadLetterQueue;
  if (!deadLetterQueue) throw new Error(`'${queue.path}' has no dead-letter queue`);
  const triggered = new ChangeSignal();
  let fatal: Error | undefined;
  const emulator = startTriggerEmulator({
    peer,
    clock,
    settings: { ...deps.settings, maxConcurrentCalls: options.concurrency },
    onChange: () => triggered.notify(),
    functions: [
      { queueName: queue.path, handler: (body) => options.handler(parse(body)) },
      {
        queueName: deadLetterQueue.path,
        handler: async (body, metadata) => {
          try {
            await options.onDeadLetter(parse(body), deadLetterReason(metadata));
          } catch (error) {
            fatal ??= error instanceof Error ? error : new Error(String(error));
            triggered.notify();
            throw error;
          }
        },
      },
    ],
  });
  try {
    for (;;) {
      if (fatal !== undefined) throw fatal;
      if (deps.signal?.aborted) return;
      peer.refresh();
      const states = [queue.snapshot(), deadLetterQueue.snapshot()];
      if (emulator.inFlight > 0 || states.some((s) => s.active > 0 || s.lockedLive > 0)) {
        await nextMove(emulator.inFlight > 0, states);
        continue;
      }
      const deadlines = states.map((s) => s.nextDeadline).filter((d): d is number => d !== undefined);
      if (deadlines.length === 0) return;
      clock.advanceTo(new Date(Math.min(...deadlines)));
    }
  } finally {
    await emulator.close();
    // On a stop, let handlers already running finish (a step is short: long ASR jobs are scheduled messages).
    const graceEnds = Date.now() + STOP_GRACE_MS;
    while (emulator.inFlight > 0 && Date.now() < graceEnds) await Promise.race([triggered.next(), new Promise((resolve) => setTimeout(resolve, 50))]);
  }

  async function nextMove(handlerRunning: boolean, states: readonly EntitySnapshot[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<"stalled">((resolve) => (timer = setTimeout(() => resolve("stalled"), deps.stallTimeoutMs)));
    const stop = aborted(deps.signal);
    const outcome = await Promise.race([peer.nextChange(), triggered.next(), stalled, stop.promise]);
    clearTimeout(timer);
    stop.dispose();
    if (outcome === "aborted") return;
    if (outcome === "stalled" && !handlerRunning) {
      const [q, d] = states as [EntitySnapshot, EntitySnapshot];
      throw new Error(
        `drain of '${queue.path}' stalled for ${deps.stallTimeoutMs} ms with no handler running: ${q.active} available and ${q.lockedLive} locked, ` +
          `dead-letter queue ${d.active} available and ${d.lockedLive} locked (a receiver outside the drain holds locks?); trigger errors: ${emulator.errors.map((e) => e.message).join("; ") || "none"}`,
      );
    }
  }
}

/** Resolves when the signal fires (never without one); `dispose` removes its listener once the wait is over. */
function aborted(signal: AbortSignal | undefined): { promise: Promise<"aborted">; dispose(): void } {
  let onAbort: (() => void) | undefined;
  const promise = new Promise<"aborted">((resolve) => {
    if (signal?.aborted) return resolve("aborted");
    onAbort = () => resolve("aborted");
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  return { promise, dispose: () => onAbort && signal?.removeEventListener("abort", onAbort) };
}

/** The reason the dead-letter function reports, built from the trigger metadata as functions/stepWorker.ts does. */
function deadLetterReason(metadata: TriggerMetadata): string {
  return [metadata.deadLetterReason, metadata.deadLetterErrorDescription].filter(Boolean).join(": ") || "dead-lettered";
}
