import type { RunRecord } from "../ports/runStore.js";

/**
 * What one execution of a step ended with; the engine decides what happens next.
 * `parked`: the step waits for something only a person does (run control wakes it); no message is
 * scheduled, and the engine re-reads the run once after parking so a decision that raced the
 * parking is not missed.
 */
export type StepOutcome =
  | { readonly status: "done"; readonly detail: string; readonly output?: unknown }
  | { readonly status: "waiting"; readonly afterSeconds: number; readonly detail?: string }
  | { readonly status: "failed"; readonly reason: string; readonly retryable: boolean; readonly afterSeconds?: number }
  | { readonly status: "parked"; readonly detail: string; readonly resumeIf: (run: RunRecord) => boolean };

export const done = (detail: string, output?: unknown): StepOutcome => ({ status: "done", detail, output });
export const waiting = (afterSeconds: number, detail?: string): StepOutcome => ({
  status: "waiting",
  afterSeconds,
  ...(detail === undefined ? {} : { detail }),
});
export const failed = (reason: string, retryable: boolean, afterSeconds?: number): StepOutcome => ({
  status: "failed",
  reason,
  retryable,
  ...(afterSeconds === undefined ? {} : { afterSeconds }),
});
