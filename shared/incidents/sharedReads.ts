/**
 * Lets the callers of one process share reads of the same key: a caller that arrives while a read
 * is in flight waits for the next read, which starts once that one settles and serves every caller
 * that arrived in between. Each caller therefore gets a read that began after it asked, as if it had
 * made the read itself, and a storm of callers makes about two reads per round trip instead of one each.
 */
export interface SharedReads<V> {
  read(key: string): Promise<V>;
}

export function createSharedReads<V>(load: (key: string) => Promise<V>): SharedReads<V> {
  const inFlight = new Map<string, Promise<V>>();
  const next = new Map<string, Promise<V>>();

  function start(key: string): Promise<V> {
    const read = load(key).finally(() => {
      if (inFlight.get(key) === read) inFlight.delete(key);
    });
    inFlight.set(key, read);
    return read;
  }

  return {
    read(key) {
      const queued = next.get(key);
      if (queued) return queued;
      const current = inFlight.get(key);
      if (!current) return start(key);
      const settled = (): void => undefined;
      const after = current.then(settled, settled).then(() => {
        next.delete(key);
        return start(key);
      });
      next.set(key, after);
      return after;
    },
  };
}
