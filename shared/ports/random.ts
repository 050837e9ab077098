import { randomBytes } from "node:crypto";

/** Randomness, passed in like the clock: ids and retry jitter become reproducible where a test needs them. */
export interface Random {
  /** A number in [0, 1). */
  fraction(): number;
  /** `bytes` random bytes as lower-case hex. */
  hex(bytes: number): string;
}

export const systemRandom: Random = { fraction: () => Math.random(), hex: (bytes) => randomBytes(bytes).toString("hex") };

/** A run id: when it started and a random tail, e.g. `run-20261125T013000Z-a1b2c3`. */
export function newRunId(now: Date, random: Random): string {
  return `run-${compactStamp(now)}-${random.hex(3)}`;
}

/** An ISO instant without separators or fraction: 20261125T013000Z. */
export function compactStamp(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}
