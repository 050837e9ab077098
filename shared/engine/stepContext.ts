import type { Step } from "../domain/plan.js";
import type { RunRecord, StepJournal } from "../ports/runStore.js";
import type { EngineDeps, EngineTiming } from "./engineDeps.js";
import type { StepOutcome } from "./stepOutcome.js";

export interface StepContext<S extends Step = Step> {
  readonly step: S;
  readonly run: RunRecord;
  readonly journal: StepJournal;
  readonly deps: EngineDeps;
  readonly timing: EngineTiming;
  /** Durably records progress before and after side effects (ETag-checked). */
  saveJournal(patch: Partial<StepJournal>): Promise<void>;
}

export type StepExecutor<S extends Step = Step> = (context: StepContext<S>) => Promise<StepOutcome>;
