import { decodeEntityState, encodeEntityState, type SavedEntityState } from "../serviceBus/peer/entityState.js";
import type { LocalQueue } from "../serviceBus/localServiceBus.js";
import { readJsonFile, throttledSaver, writeFileAtomic } from "./atomicFile.js";

/** How soon after a change the queues are saved: a hard kill loses at most this much broker state. */
export const QUEUE_SAVE_INTERVAL_MS = 250;

interface SavedQueues {
  readonly version: 1;
  readonly queues: Readonly<Record<string, { readonly queue: SavedEntityState; readonly deadLetterQueue: SavedEntityState }>>;
}

export interface QueueStateFile {
  /** Messages restored into the queues (dead-lettered ones included). */
  readonly restoredMessages: number;
  /** Writes the queues' state now (after the last change). */
  flush(): Promise<void>;
  /** Stops saving on change (a final `flush` first keeps the last state). */
  stop(): void;
}

/**
 * Keeps the queues' broker state in `file`: restores what it holds into the (new, empty) queues, then
 * saves on every change, throttled, atomically. A queue the file does not know starts empty.
 */
export async function persistQueues(file: string, queues: readonly LocalQueue<unknown>[], onError: (error: unknown) => void): Promise<QueueStateFile> {
  const saved = parseSavedQueues(await readJsonFile(file), file);
  let restoredMessages = 0;
  for (const queue of queues) {
    const state = saved?.queues[queue.name];
    const deadLetterQueue = queue.entity.deadLetterQueue;
    if (!state || !deadLetterQueue) continue;
    // The dead-letter queue first: a message whose lost lock used its last delivery goes there.
    deadLetterQueue.restoreState(decodeEntityState(state.deadLetterQueue, `${file}: ${queue.name}/$DeadLetterQueue`));
    queue.entity.restoreState(decodeEntityState(state.queue, `${file}: ${queue.name}`));
    restoredMessages += queue.entity.size + deadLetterQueue.size;
  }
  const save = async (): Promise<void> => {
    const content: SavedQueues = {
      version: 1,
      queues: Object.fromEntries(
        queues.map((q) => [
          q.name,
          { queue: encodeEntityState(q.entity.exportState()), deadLetterQueue: encodeEntityState((q.entity.deadLetterQueue ?? q.entity).exportState()) },
        ]),
      ),
    };
    await writeFileAtomic(file, JSON.stringify(content));
  };
  const saver = throttledSaver(save, QUEUE_SAVE_INTERVAL_MS, onError);
  const peers = new Set(queues.map((q) => q.peer));
  const unsubscribe = [...peers].map((peer) => peer.onChange(() => saver.changed()));
  return {
    restoredMessages,
    flush: () => saver.flush(),
    stop() {
      unsubscribe.forEach((u) => u());
      saver.stop();
    },
  };
}

function parseSavedQueues(value: unknown, file: string): SavedQueues | undefined {
  if (value === undefined) return undefined;
  // Each queue's state is checked field by field when it is restored (decodeEntityState).
  if (!isSavedQueues(value)) throw new Error(`${file}: not a queue state this sandbox wrote (version 1)`);
  return value;
}

function isSavedQueues(value: unknown): value is SavedQueues {
  if (typeof value !== "object" || value === null) return false;
  const { version, queues } = value as { version?: unknown; queues?: unknown };
  return version === 1 && typeof queues === "object" && queues !== null;
}
