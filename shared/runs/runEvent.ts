import { runEventId, type RunEvent, type RunEventKind } from "../ports/notifier.js";
import type { RunRecord } from "../ports/runStore.js";

/**
 * An event about a run: the run's id, estate and mode, and the dedupe id `${runId}:${kind}`, so a
 * step or run that notifies again after a redelivery is sent once. `extra` adds the kind's own
 * fields, and its own `id` where one run has several events of the kind (one per tier).
 */
export function runEvent(run: RunRecord, kind: RunEventKind, at: Date, summary: string, extra: Partial<RunEvent> = {}): RunEvent {
  return { kind, id: runEventId({ runId: run.runId, kind }), runId: run.runId, estate: run.estate, mode: run.mode, at, summary, ...extra };
}
