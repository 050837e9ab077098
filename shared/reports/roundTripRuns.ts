import type { RunRecord } from "../ports/runStore.js";
import type { RoundTripPhaseName } from "./roundTripReport.js";

/** The phase a run plays in a round trip, or undefined for a run that is no part of one (a drill). */
export function roundTripPhaseOf(run: Pick<RunRecord, "mode">): RoundTripPhaseName | undefined {
  const mode: string = run.mode;
  if (mode === "unplanned") return "failover";
  if (mode === "failback-prep") return "failbackPrep";
  if (mode === "failback") return "failback";
  return undefined;
}

/** The failover run a run belongs to: itself for an unplanned failover, `request.failoverRunId` for the way back. */
export function roundTripIdOf(run: Pick<RunRecord, "runId" | "mode" | "request">): string | undefined {
  const phase = roundTripPhaseOf(run);
  if (phase === "failover") return run.runId;
  if (phase === undefined) return undefined;
  const linked = (run.request as { readonly failoverRunId?: unknown }).failoverRunId;
  return typeof linked === "string" && linked.length > 0 ? linked : undefined;
}

/**
 * The runs of the round trip `runId` belongs to (any of its runs may be named), oldest first: the
 * failover run and every later run whose request names it. Undefined when `runId` is no part of one
 * or its failover run is not among `runs`.
 */
export function roundTripRuns(runs: readonly RunRecord[], runId: string): RunRecord[] | undefined {
  const named = runs.find((r) => r.runId === runId);
  const id = named ? roundTripIdOf(named) : undefined;
  if (id === undefined || !runs.some((r) => r.runId === id && roundTripPhaseOf(r) === "failover")) return undefined;
  return runs.filter((r) => roundTripIdOf(r) === id).sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.runId.localeCompare(b.runId));
}
