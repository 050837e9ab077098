import type { Estate } from "../domain/estate.js";
import type { Clock } from "../ports/clock.js";
import type { RunStore } from "../ports/runStore.js";
import { buildRoundTripReport } from "../reports/buildRoundTripReport.js";
import { buildRunReport } from "../reports/buildRunReport.js";
import type { RoundTripReport } from "../reports/roundTripReport.js";
import { roundTripRuns } from "../reports/roundTripRuns.js";
import type { RunHistoryEntry, RunReport } from "../reports/runReport.js";

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
}

/** Run reports read from the run store: what GET /api/runs/{runId} and the report page show. */
export function createRunReports(deps: { readonly estate: Estate; readonly runs: RunStore; readonly clock: Clock }): RunReports {
  const { estate, runs, clock } = deps;
  return {
    async report(runId) {
      const run = await runs.getRun(runId);
      if (!run || run.value.estate !== estate.name) return undefined;
      return buildRunReport(estate, run.value, await runs.listSteps(runId), clock.now());
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
      const linked = roundTripRuns(await runs.listRuns(estate.name), runId);
      if (!linked) return undefined;
      const withSteps = await Promise.all(linked.map(async (run) => ({ run, steps: await runs.listSteps(run.runId) })));
      return buildRoundTripReport(estate, withSteps, clock.now());
    },
  };
}
