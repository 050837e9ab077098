import { afterEach, describe, expect, it, vi } from "vitest";
import { createRecentMemory } from "../../shared/incidents/recentMemory.js";
import { createWriterTurns } from "../../shared/incidents/writerTurns.js";

afterEach(() => vi.useRealTimers());

/** A promise and the function that settles it, for work a test finishes when it chooses. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe("writer turns of one process", () => {
  it("runs the writers of one key one after another, in arrival order, and other keys beside them", async () => {
    const turns = createWriterTurns<string>({ maxWaitMs: 10_000 });
    const order: string[] = [];
    const first = gate();
    const a1 = turns.turn("estate-a", async () => {
      order.push("a1 start");
      await first.promise;
      order.push("a1 end");
    });
    const a2 = turns.turn("estate-a", () => Promise.resolve(void order.push("a2")));
    const b1 = turns.turn("estate-b", () => Promise.resolve(void order.push("b1")));
    await b1;
    expect(order).toEqual(["a1 start", "b1"]);
    first.open();
    await Promise.all([a1, a2]);
    expect(order).toEqual(["a1 start", "b1", "a1 end", "a2"]);
  });

  it("lets the next writer go ahead once a stuck writer held the turn for maxWaitMs (the row's ETag still decides)", async () => {
    vi.useFakeTimers();
    const turns = createWriterTurns<string>({ maxWaitMs: 10_000 });
    const stuck = gate();
    void turns.turn("estate", () => stuck.promise);
    let ran = false;
    const next = turns.turn("estate", () => Promise.resolve(void (ran = true)));
    await vi.advanceTimersByTimeAsync(9_999);
    expect(ran).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await next;
    expect(ran).toBe(true);
    stuck.open();
  });

  it("passes the turn on when a writer fails", async () => {
    const turns = createWriterTurns<string>({ maxWaitMs: 10_000 });
    const failed = turns.turn("estate", () => Promise.reject(new Error("lost the store")));
    const next = turns.turn("estate", () => Promise.resolve("written"));
    await expect(failed).rejects.toThrow("lost the store");
    await expect(next).resolves.toBe("written");
  });

  it("counts the writes of each key and keeps the last one written", () => {
    const turns = createWriterTurns<string>({ maxWaitMs: 10_000 });
    expect([turns.writes("estate"), turns.lastWritten("estate")]).toEqual([0, undefined]);
    turns.wrote("estate", "v1");
    turns.wrote("estate", "v2");
    expect([turns.writes("estate"), turns.lastWritten("estate"), turns.writes("other")]).toEqual([2, "v2", 0]);
  });
});

describe("recent memory", () => {
  it("forgets the oldest entries past its limit; an entry set again counts as new", () => {
    const memory = createRecentMemory<number>(2);
    memory.set("a", 1);
    memory.set("b", 2);
    memory.set("a", 3);
    memory.set("c", 4);
    expect([memory.get("a"), memory.get("b"), memory.get("c")]).toEqual([3, undefined, 4]);
  });
});
