import type { Estate } from "../domain/estate.js";
import type { FailoverRequest } from "../domain/plan.js";
import type { RunRecord, RunStore } from "../ports/runStore.js";

export type FailoverRunLink =
  | { readonly ok: true; readonly request: FailoverRequest }
  | { readonly ok: false; readonly status: 400 | 409; readonly field: "failoverRunId"; readonly title: string; readonly detail: string };

/**
 * Links a round trip's later runs to the unplanned run they undo (request.failoverRunId): the one the
 * caller named, which must be a succeeded unplanned run of this estate, or else the latest such run.
 * A failback needs one (it sets back what that run's DNS and route steps changed); failback
 * preparation is linked when one exists and runs without otherwise. Other modes pass unchanged.
 */
export async function linkFailoverRun(runs: RunStore, estate: Estate, request: FailoverRequest): Promise<FailoverRunLink> {
  if (request.mode !== "failback" && request.mode !== "failback-prep") return { ok: true, request };
  const named = request.failoverRunId;
  if (named !== undefined) {
    const run = (await runs.getRun(named))?.value;
    if (!run || run.estate !== estate.name)
      return { ok: false, status: 400, field: "failoverRunId", title: "Invalid request", detail: `failoverRunId: no run ${named} of estate ${estate.name}` };
    if (!isSucceededFailover(run))
      return {
        ok: false,
        status: 409,
        field: "failoverRunId",
        title: "Not a failover to fail back from",
        detail: `failoverRunId: run ${named} is a ${run.status} ${run.mode} run; a round trip undoes a succeeded unplanned failover`,
      };
    return { ok: true, request };
  }
  const latest = (await runs.listRuns(estate.name)).filter(isSucceededFailover).sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
  if (latest) return { ok: true, request: { ...request, failoverRunId: latest.runId } };
  if (request.mode === "failback-prep") return { ok: true, request };
  return {
    ok: false,
    status: 409,
    field: "failoverRunId",
    title: "No failover to fail back from",
    detail: `failoverRunId: estate ${estate.name} has no succeeded unplanned failover run to fail back from; name the run with failoverRunId`,
  };
}

function isSucceededFailover(run: RunRecord): boolean {
  return run.mode === "unplanned" && run.status === "succeeded";
}
