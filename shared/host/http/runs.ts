import { cleanupDueAt, needsAutomaticCleanup } from "../../runs/drillCleanup.js";
import { createRunReports } from "../../runs/runReports.js";
import { renderRunReportHtml } from "../../reports/renderRunReportHtml.js";
import type { HttpRoute } from "../hostTypes.js";
import { htmlPage, problem, REFUSALS } from "./problem.js";
import { userRoute, type UserCall } from "./route.js";

const reportsOf = ({ root }: UserCall) => createRunReports({ estate: root.estate, runs: root.runs, clock: root.clock });

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
