import type { Step } from "../domain/plan.js";
import type { RunRecord, StepJournal } from "../ports/runStore.js";
import type { AsrJob } from "../ports/siteRecovery.js";
import type { EngineDeps, EngineTiming } from "./engineDeps.js";
import type { StepOutcome } from "./stepOutcome.js";

export interface StepContext<S extends Step = Step> {
  readonly step: S;
  readonly run: RunRecord;
  readonly journal: StepJournal;
  readonly deps: EngineDeps;
  readonly timing: EngineTiming;
  /** The step's ASR job as its vault's job watch listed it when it woke the step (absent otherwise). */
  readonly observedJob?: AsrJob;
  /** Durably records progress before and after side effects (ETag-checked); an undefined field is cleared. */
  saveJournal(patch: JournalPatch): Promise<void>;
}

/** Fields to set in the step's journal; `undefined` clears one (e.g. the job followed so far). */
export type JournalPatch = { readonly [K in keyof StepJournal]?: StepJournal[K] | undefined };

/** The journal with `patch` applied: a field set to undefined is removed, not kept as undefined. */
export function patchJournal(journal: StepJournal, patch: JournalPatch): StepJournal {
  const next: Record<string, unknown> = { ...journal };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  return next;
}

export type StepExecutor<S extends Step = Step> = (context: StepContext<S>) => Promise<StepOutcome>;
