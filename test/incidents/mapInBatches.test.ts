import { describe, expect, it } from "vitest";
import { mapInBatches } from "../../shared/incidents/mapInBatches.js";

describe("work mapped in batches", () => {
  it("keeps at most `size` items in flight, answers in order, and lets the event loop turn between batches", async () => {
    const events: string[] = [];
    let inFlight = 0;
    let most = 0;
    // Something else the process has to do (an HTTP request to acknowledge), queued as the work begins.
    setImmediate(() => events.push("other work"));
    const results = await mapInBatches([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 4, async (n) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      events.push(`item ${n}`);
      await Promise.resolve();
      inFlight -= 1;
      return n * 10;
    });
    expect(results).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(most).toBe(4);
    // The first batch runs at once; the other work goes before the second batch, not after the last one.
    expect(events.indexOf("other work")).toBe(4);
  });

  it("maps nothing to nothing", async () => {
    expect(await mapInBatches([], 4, () => Promise.resolve(1))).toEqual([]);
  });
});
