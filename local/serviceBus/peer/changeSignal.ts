/**
 * Tells of changes: `next()` wakes whoever waits for the next one (a drain loop, which looks at
 * the state again); `subscribe` calls a listener on every one.
 */
export class ChangeSignal {
  private waiters: (() => void)[] = [];
  private readonly listeners = new Set<() => void>();

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
    for (const listener of this.listeners) listener();
  }

  /** Calls `listener` on every change until the returned function is called. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
