/** A process-wide composition root: `get` builds it on first use, `use` installs a host's own. */
export interface LazyRoot<T> {
  get(): Promise<T>;
  use(installed: T): void;
}

/**
 * Built on first use, never at import time (the Functions host imports every function file at
 * start, and a test or the sandbox installs its own root before any handler runs). A failed build
 * (bad settings, network) is forgotten, so the next invocation tries again.
 */
export function lazyRoot<T>(build: () => Promise<T>): LazyRoot<T> {
  let root: Promise<T> | undefined;
  return {
    get() {
      root ??= build().catch((error: unknown) => {
        root = undefined;
        throw error;
      });
      return root;
    },
    use(installed) {
      root = Promise.resolve(installed);
    },
  };
}
