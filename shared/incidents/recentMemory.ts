/**
 * What this process has finished, by id, the oldest forgotten past `limit`. It can only say
 * "already done here": an id it does not hold (forgotten, done by another instance, or lost with a
 * crashed process) is done again the long way, which every use of it allows, so the memory is
 * correct across instances and restarts.
 */
export interface RecentMemory<V> {
  get(id: string): V | undefined;
  set(id: string, value: V): void;
}

export function createRecentMemory<V>(limit: number): RecentMemory<V> {
  const entries = new Map<string, V>();
  return {
    get: (id) => entries.get(id),
    set(id, value) {
      entries.delete(id);
      entries.set(id, value);
      if (entries.size > limit) entries.delete(entries.keys().next().value as string);
    },
  };
}
