import { describe, expect, it } from "vitest";
import { createSharedReads } from "../../shared/incidents/sharedReads.js";

/** A store whose reads the test settles one by one: each read answers the version the row holds when it starts. */
function controlledStore(): {
  readonly load: (key: string) => Promise<string>;
  readonly started: string[];
  finishNext(error?: Error): void;
  write(version: string): void;
} {
  let version = "v1";
  const started: string[] = [];
  const pending: { settle: (error?: Error) => void }[] = [];
  return {
    started,
    load(key) {
      const seen = `${key}@${version}`;
      started.push(seen);
      return new Promise<string>((resolve, reject) => pending.push({ settle: (error) => (error ? reject(error) : resolve(seen)) }));
    },
    finishNext: (error) => pending.shift()?.settle(error),
    write: (next) => void (version = next),
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("reads shared between the callers of one process", () => {
  it("serves the callers that arrive during a read with one next read, started after they asked", async () => {
    const store = controlledStore();
    const reads = createSharedReads(store.load);
    const first = reads.read("estate");
    // Written after the first read started: the callers that come now must not be answered with what it read.
    store.write("v2");
    const later = Array.from({ length: 31 }, () => reads.read("estate"));
    await tick();
    expect(store.started).toEqual(["estate@v1"]);
    store.finishNext();
    expect(await first).toBe("estate@v1");
    await tick();
    expect(store.started).toEqual(["estate@v1", "estate@v2"]);
    store.finishNext();
    expect(new Set(await Promise.all(later))).toEqual(new Set(["estate@v2"]));
  });

  it("reads again for a caller that comes after the shared read settled, and keeps keys apart", async () => {
    const store = controlledStore();
    const reads = createSharedReads(store.load);
    const a = reads.read("estate-a");
    const b = reads.read("estate-b");
    store.finishNext();
    store.finishNext();
    expect([await a, await b]).toEqual(["estate-a@v1", "estate-b@v1"]);
    store.write("v3");
    const again = reads.read("estate-a");
    store.finishNext();
    expect(await again).toBe("estate-a@v3");
    expect(store.started).toEqual(["estate-a@v1", "estate-b@v1", "estate-a@v3"]);
  });

  it("hands a failed read's error to its callers only: the callers waiting for the next read still get one", async () => {
    const store = controlledStore();
    const reads = createSharedReads(store.load);
    const failing = reads.read("estate");
    const waiting = reads.read("estate");
    store.finishNext(new Error("ServerBusy"));
    await expect(failing).rejects.toThrow("ServerBusy");
    await tick();
    store.finishNext();
    expect(await waiting).toBe("estate@v1");
    expect(store.started).toHaveLength(2);
  });
});
