/** What one execution of a step ended with; the engine decides what happens next. */
export type StepOutcome =
  | { readonly status: "done"; readonly detail: string; readonly output?: unknown }
  | { readonly status: "waiting"; readonly afterSeconds: number; readonly detail?: string }
  | { readonly status: "failed"; readonly reason: string; readonly retryable: boolean; readonly afterSeconds?: number };

export const done = (detail: string, output?: unknown): StepOutcome => ({ status: "done", detail, output });
export const waiting = (afterSeconds: number, detail?: string): StepOutcome => ({ status: "waiting", afterSeconds, detail });
export const failed = (reason: string, retryable: boolean, afterSeconds?: number): StepOutcome => ({ status: "failed", reason, retryable, afterSeconds });
