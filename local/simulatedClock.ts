import type { Clock } from "../shared/ports/clock.js";

/**
 * Simulated time for drills and tests: it runs with real time (so the engine's own work counts),
 * and jumps over idle waits when nothing is ready to run. `realTime: false` freezes it between
 * jumps, for deterministic tests.
 */
export class SimulatedClock implements Clock {
  private readonly realStart = performance.now();
  private skippedMs = 0;

  constructor(
    private readonly start: Date,
    private readonly options: { readonly realTime: boolean } = { realTime: true },
  ) {}

  now(): Date {
    const real = this.options.realTime ? performance.now() - this.realStart : 0;
    return new Date(this.start.getTime() + real + this.skippedMs);
  }

  /** Moves time forward to `instant` (never backwards). */
  advanceTo(instant: Date): void {
    const gap = instant.getTime() - this.now().getTime();
    if (gap > 0) this.skippedMs += gap;
  }

  /** Total simulated time skipped over idle waits. */
  get skippedMilliseconds(): number {
    return this.skippedMs;
  }
}
