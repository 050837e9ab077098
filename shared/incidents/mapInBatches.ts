import { setImmediate as nextTurnOfTheLoop } from "node:timers/promises";

/**
 * Maps `items` through `work`, `size` at a time, and lets the event loop turn between batches. A
 * check that reads every protected VM (one ARM list each, whose answers the SDK deserializes on
 * this thread) would otherwise hold the loop for the whole estate at once, while the same process
 * is acknowledging an Action Group's storm; and `size` bounds the burst of ARM reads it makes.
 */
export async function mapInBatches<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) {
    if (start > 0) await nextTurnOfTheLoop();
    results.push(...(await Promise.all(items.slice(start, start + size).map(work))));
  }
  return results;
}
