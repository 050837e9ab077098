import type { Estate } from "../domain/estate.js";
import type { Clock } from "../ports/clock.js";
import type { RunRecord, RunStore } from "../ports/runStore.js";
import { buildRoundTripReport } from "../reports/buildRoundTripReport.js";
import { buildRunReport } from "../reports/buildRunReport.js";
import type { RoundTripReport } from "../reports/roundTripReport.js";
import { roundTripIdOf, roundTripPhaseOf, roundTripRuns } from "../reports/roundTripRuns.js";
import type { RunHistoryEntry, RunReport } from "../reports/runReport.js";
import type { CleanupRunFacts } from "../reports/testVmCleanup.js";
import { needsAutomaticCleanup } from "./drillCleanup.js";

/** How many earlier drills the report page compares a run with. */
export const DRILL_HISTORY_LENGTH = 10;

export interface RunReports {
  /** The run's report (state, step timeline, RTO so far), or undefined for no run of this estate. */
  report(runId: string): Promise<RunReport | undefined>;
  /** Earlier test failovers of the estate (cleanup-only sweeps left out), newest first. */
  drillHistory(runId: string, before: string): Promise<RunHistoryEntry[]>;
  /**
   * The round trip `runId` is part of (any of its runs may be named): the failover run and the runs
   * whose request names it as `failoverRunId`. Undefined for a run that is no part of one.
   */
  roundTrip(runId: string): Promise<RoundTripReport | undefined>;
  /** The same, or why there is none: no such run of this estate, or a run that is no part of a round trip (said why). */
  findRoundTrip(runId: string): Promise<RoundTripLookup>;
}

export type RoundTripLookup =
  { readonly found: true; readonly report: RoundTripReport } | { readonly found: false; readonly reason: "noRun" | "notRoundTrip"; readonly detail: string };

export interface RunReportsDeps {
  readonly estate: Estate;
  readonly runs: RunStore;
  readonly clock: Clock;
  /** The grace period before a failed or cancelled drill's automatic cleanup (DRILL_CLEANUP_AFTER_MINUTES): the report says when it is due. */
  readonly cleanupGraceMinutes?: number;
}

/** Run reports read from the run store: what GET /api/runs/{runId} and the report page show. */
export function createRunReports(deps: RunReportsDeps): RunReports {
  const { estate, runs, clock } = deps;

  /**
   * The run removing a failed or cancelled drill's test VMs: the one its automatic cleanup started, else
   * the latest an operator started for it (its request names the drill; runs recorded before requests
   * did are known by runControl.ts's trigger, "cleanup of <runId> by <name>").
   */
  async function cleanupRunOf(drill: RunRecord): Promise<CleanupRunFacts | undefined> {
    const automatic = drill.decisions?.autoCleanup?.runId;
    if (automatic) return (await runs.getRun(automatic))?.value;
    const cleansDrill = (r: RunRecord): boolean =>
      r.request.cleanupOf === undefined ? r.trigger.startsWith(`cleanup of ${drill.runId} by `) : r.request.cleanupOf === drill.runId;
    return (await runs.listRuns(estate.name)).find((r) => r.request.cleanupOnly === true && cleansDrill(r));
  }

  async function findRoundTrip(runId: string): Promise<RoundTripLookup> {
    const all = await runs.listRuns(estate.name);
    const named = all.find((r) => r.runId === runId);
    if (!named) return { found: false, reason: "noRun", detail: `no run '${runId}'` };
    const linked = roundTripRuns(all, runId);
    if (!linked) return { found: false, reason: "notRoundTrip", detail: notRoundTripDetail(named) };
    const withSteps = await Promise.all(linked.map(async (run) => ({ run, steps: await runs.listSteps(run.runId) })));
    return { found: true, report: buildRoundTripReport(estate, withSteps, clock.now()) };
  }

  return {
    async report(runId) {
      const run = await runs.getRun(runId);
      if (!run || run.value.estate !== estate.name) return undefined;
      const steps = await runs.listSteps(runId);
      if (!needsAutomaticCleanup(run.value)) return buildRunReport(estate, run.value, steps, clock.now());
      const cleanupRun = await cleanupRunOf(run.value);
      return buildRunReport(estate, run.value, steps, clock.now(), {
        ...(deps.cleanupGraceMinutes !== undefined ? { graceMinutes: deps.cleanupGraceMinutes } : {}),
        ...(cleanupRun ? { cleanupRun } : {}),
      });
    },
    async drillHistory(runId, before) {
      const earlier = (await runs.listRuns(estate.name))
        .filter((r) => r.runId !== runId && r.mode === "test" && !r.request.cleanupOnly && r.startedAt <= before)
        .slice(0, DRILL_HISTORY_LENGTH);
      return Promise.all(
        earlier.map(async (run) => {
          const r = buildRunReport(estate, run, await runs.listSteps(run.runId), clock.now());
          return {
            runId: r.runId,
            mode: r.mode,
            trigger: r.trigger,
            startedAt: r.startedAt,
            outcome: r.outcome,
            rtoSeconds: r.rtoSeconds,
            rtoTargetSeconds: r.rtoTargetSeconds,
            dataLossWindowSeconds: r.dataLossWindowSeconds,
            rpoTargetSeconds: r.rpoTargetSeconds,
          };
        }),
      );
    },
    async roundTrip(runId) {
      const lookup = await findRoundTrip(runId);
      return lookup.found ? lookup.report : undefined;
    },
    findRoundTrip,
  };
}

/** Why a run has no round trip: a round trip is an unplanned failover and the runs that undo it (request.failoverRunId). */
function notRoundTripDetail(run: RunRecord): string {
  if (roundTripPhaseOf(run) === undefined) {
    const what = run.request.cleanupOnly ? "a cleanup run" : run.mode === "test" ? "a drill (test failover)" : `a ${run.mode} run`;
    return `run '${run.runId}' is ${what}: a round trip is an unplanned failover and the failback preparation and failback that undo it`;
  }
  const failoverRunId = roundTripIdOf(run);
  return failoverRunId === undefined
    ? `run '${run.runId}' (${run.mode}) names no failover run it undoes`
    : `run '${run.runId}' (${run.mode}) undoes failover run '${failoverRunId}', which is not an unplanned failover run of this estate`;
}
