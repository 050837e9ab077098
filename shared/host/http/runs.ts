import { cleanupDueAt, needsAutomaticCleanup } from "../../runs/drillCleanup.js";
import { createRunReports } from "../../runs/runReports.js";
import { renderRoundTripReportHtml } from "../../reports/renderRoundTripReportHtml.js";
import { renderRunReportHtml } from "../../reports/renderRunReportHtml.js";
import type { RoundTripReport } from "../../reports/roundTripReport.js";
import type { ApiResponse, HttpRoute } from "../hostTypes.js";
import { htmlPage, problem, REFUSALS } from "./problem.js";
import { userRoute, type UserCall } from "./route.js";

const reportsOf = ({ root }: UserCall) =>
  createRunReports({ estate: root.estate, runs: root.runs, clock: root.clock, cleanupGraceMinutes: root.runApi.settings.drill.cleanupAfterMinutes });

/** GET /api/runs: the estate's runs, newest first. */
export const listRuns: HttpRoute = userRoute({
  name: "listRuns",
  methods: ["GET"],
  route: "runs",
  role: "reader",
  action: "list runs",
  async handle({ root }) {
    const runs = await root.runs.listRuns(root.estate.name);
    return {
      jsonBody: {
        runs: runs.map(({ runId, mode, trigger, status, startedAt, finishedAt, failureReason }) => ({
          runId,
          mode,
          trigger,
          status,
          startedAt,
          finishedAt,
          failureReason,
        })),
      },
    };
  },
});

/** GET /api/runs/{runId}: state, step timeline and RTO so far (the run report). */
export const getRun: HttpRoute = userRoute({
  name: "getRun",
  methods: ["GET"],
  route: "runs/{runId}",
  role: "reader",
  action: "read run",
  async handle(call) {
    const { root, runId } = call;
    const report = await reportsOf(call).report(runId);
    if (!report) return problem(REFUSALS.notFound.status, REFUSALS.notFound.title, `no run '${runId}'`);
    const run = (await root.runs.getRun(runId))?.value;
    const awaiting = report.steps
      .filter((s) => s.kind === "awaitDecision" && s.status === "waiting")
      .map((s) => ({ decision: s.target, how: `POST /api/runs/${runId}/${s.target}` }));
    // A failed or cancelled drill's automatic cleanup: when it is due, or what it did (POST .../extend-cleanup puts it off).
    const automaticCleanup =
      run && needsAutomaticCleanup(run)
        ? { dueAt: cleanupDueAt(run, root.runApi.settings.drill.cleanupAfterMinutes)?.toISOString() ?? null, done: run.decisions?.autoCleanup ?? null }
        : null;
    return { jsonBody: { ...report, requestedBy: run?.requestedBy ?? null, decisions: run?.decisions ?? {}, awaiting, automaticCleanup } };
  },
});

/** GET /api/runs/{runId}/report: the readable page. */
export const getRunReportPage: HttpRoute = userRoute({
  name: "getRunReportPage",
  methods: ["GET"],
  route: "runs/{runId}/report",
  role: "reader",
  action: "read run report",
  async handle(call) {
    const reports = reportsOf(call);
    const report = await reports.report(call.runId);
    if (!report) return problem(REFUSALS.notFound.status, REFUSALS.notFound.title, `no run '${call.runId}'`);
    return htmlPage(renderRunReportHtml({ ...report, history: await reports.drillHistory(report.runId, report.startedAt) }));
  },
});

/** The round trip a run is part of, or the problem that says why there is none: 404 for no such run, 409 for a run that is no part of one. */
async function roundTripOf(
  call: UserCall,
): Promise<{ readonly ok: true; readonly report: RoundTripReport } | { readonly ok: false; readonly response: ApiResponse }> {
  const lookup = await reportsOf(call).findRoundTrip(call.runId);
  if (lookup.found) return { ok: true, report: lookup.report };
  const response =
    lookup.reason === "noRun"
      ? problem(REFUSALS.notFound.status, REFUSALS.notFound.title, lookup.detail)
      : problem(409, "Not part of a round trip", lookup.detail, { runId: call.runId });
  return { ok: false, response };
}

/** GET /api/runs/{runId}/round-trip: the failover, failback preparation and failback on one timeline (any of its runs may be named). */
export const getRoundTrip: HttpRoute = userRoute({
  name: "getRoundTrip",
  methods: ["GET"],
  route: "runs/{runId}/round-trip",
  role: "reader",
  action: "read round trip",
  async handle(call) {
    const found = await roundTripOf(call);
    return found.ok ? { jsonBody: { ...found.report, links: roundTripLinks(found.report) } } : found.response;
  },
});

/** GET /api/runs/{runId}/round-trip/report: the readable page, each run linked to its own report page. */
export const getRoundTripReportPage: HttpRoute = userRoute({
  name: "getRoundTripReportPage",
  methods: ["GET"],
  route: "runs/{runId}/round-trip/report",
  role: "reader",
  action: "read round trip report",
  async handle(call) {
    const found = await roundTripOf(call);
    if (!found.ok) return found.response;
    return htmlPage(renderRoundTripReportHtml(found.report, call.root.clock.now(), (runId) => `/api/runs/${encodeURIComponent(runId)}/report`));
  },
});

function roundTripLinks(report: RoundTripReport): Record<string, string> {
  const base = `/api/runs/${encodeURIComponent(report.roundTripId)}/round-trip`;
  return { self: base, report: `${base}/report` };
}
