/**
 * Lets the writers of one process take turns at a row, so they do not race each other for its ETag
 * (each lost race costs a read and a write more). It is only an optimisation: the row's ETag still
 * decides between processes (several Function App instances), and a turn that waits longer than
 * `maxWaitMs` for a stuck holder goes ahead anyway and meets the ETag like any other writer.
 */
export interface WriterTurns<V> {
  /** Runs `work` once the writers of `key` before it in this process have finished (or after maxWaitMs). */
  turn<T>(key: string, work: () => Promise<T>): Promise<T>;
  /** Counts the writes of `key` this process made; a read taken at the same count is the newest this process knows. */
  writes(key: string): number;
  /** Records a successful write of `key` and what it wrote (with its new ETag). */
  wrote(key: string, value: V): void;
  /** What this process last wrote to `key`: newer than any read taken before it, and to be written over with its ETag. */
  lastWritten(key: string): V | undefined;
}

export function createWriterTurns<V>({ maxWaitMs }: { readonly maxWaitMs: number }): WriterTurns<V> {
  const tails = new Map<string, Promise<void>>();
  const counts = new Map<string, number>();
  const written = new Map<string, V>();
  return {
    async turn(key, work) {
      const before = tails.get(key) ?? Promise.resolve();
      let release = (): void => undefined;
      const mine = new Promise<void>((resolve) => (release = resolve));
      const tail = before.then(() => mine);
      tails.set(key, tail);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([before, new Promise<void>((resolve) => (timer = setTimeout(resolve, maxWaitMs)))]);
      clearTimeout(timer);
      try {
        return await work();
      } finally {
        release();
        if (tails.get(key) === tail) tails.delete(key);
      }
    },
    writes: (key) => counts.get(key) ?? 0,
    wrote(key, value) {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      written.set(key, value);
    },
    lastWritten: (key) => written.get(key),
  };
}
