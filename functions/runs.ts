import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { getAppRoot } from "../shared/appRoot.js";
import { buildRunReport } from "../shared/report/buildRunReport.js";
import { renderRunReportHtml } from "../shared/report/renderRunReportHtml.js";
import type { RunHistoryEntry } from "../shared/report/runReport.js";
import { authorizeUser } from "./authorizeUser.js";
import { htmlPage, problem } from "./httpProblem.js";
import { refuseAudited } from "./refuseAudited.js";
import { runIdProblem } from "./requestLimits.js";

/** GET /api/runs: the estate's runs, newest first. */
export async function listRuns(request: HttpRequest): Promise<HttpResponseInit> {
  const root = await getAppRoot();
  const auth = await authorizeUser(root, request, "reader", "list runs");
  if (!auth.ok) return auth.response;
  const runs = await root.runs.listRuns(root.estate.name);
  return { jsonBody: { runs: runs.map(({ runId, mode, trigger, status, startedAt, finishedAt, failureReason }) => ({ runId, mode, trigger, status, startedAt, finishedAt, failureReason })) } };
}

/** GET /api/runs/{runId}: state, step timeline and RTO so far (the run report). */
export async function getRun(request: HttpRequest): Promise<HttpResponseInit> {
  const root = await getAppRoot();
  const auth = await authorizeUser(root, request, "reader", "read run");
  if (!auth.ok) return auth.response;
  const runId = request.params.runId ?? "";
  const badRunId = runIdProblem(runId);
  if (badRunId) return refuseAudited(root, { who: auth.principal.name, action: "read run" }, 400, "Invalid request", `runId: ${badRunId}`, { field: "runId" });
  const report = await reportOf(runId);
  if (!report) return problem(404, "Not found", `no run '${runId}'`);
  const run = (await root.runs.getRun(runId))?.value;
  const awaiting = report.steps.filter((s) => s.kind === "awaitDecision" && s.status === "waiting").map((s) => ({ decision: s.target, how: `POST /api/runs/${runId}/${s.target}` }));
  return { jsonBody: { ...report, requestedBy: run?.requestedBy ?? null, decisions: run?.decisions ?? {}, awaiting } };
}

/** GET /api/runs/{runId}/report: the readable page. */
export async function getRunReportPage(request: HttpRequest): Promise<HttpResponseInit> {
  const root = await getAppRoot();
  const auth = await authorizeUser(root, request, "reader", "read run report");
  if (!auth.ok) return auth.response;
  const runId = request.params.runId ?? "";
  const badRunId = runIdProblem(runId);
  if (badRunId) return refuseAudited(root, { who: auth.principal.name, action: "read run report" }, 400, "Invalid request", `runId: ${badRunId}`, { field: "runId" });
  const report = await reportOf(runId);
  if (!report) return problem(404, "Not found", `no run '${runId}'`);
  return htmlPage(renderRunReportHtml({ ...report, history: await drillHistory(report.runId, report.startedAt) }));
}

/** How many earlier drills the report page compares a run with. */
export const DRILL_HISTORY_LENGTH = 10;

/** Earlier test failovers of the estate (cleanup-only sweeps left out), newest first. */
async function drillHistory(runId: string, before: string): Promise<RunHistoryEntry[]> {
  const root = await getAppRoot();
  const earlier = (await root.runs.listRuns(root.estate.name))
    .filter((r) => r.runId !== runId && r.mode === "test" && !r.request.cleanupOnly && r.startedAt <= before)
    .slice(0, DRILL_HISTORY_LENGTH);
  return Promise.all(
    earlier.map(async (run) => {
      const r = buildRunReport(root.estate, run, await root.runs.listSteps(run.runId), root.clock.now());
      return { runId: r.runId, mode: r.mode, trigger: r.trigger, startedAt: r.startedAt, outcome: r.outcome, rtoSeconds: r.rtoSeconds, rtoTargetSeconds: r.rtoTargetSeconds, dataLossWindowSeconds: r.dataLossWindowSeconds, rpoTargetSeconds: r.rpoTargetSeconds };
    }),
  );
}

async function reportOf(runId: string) {
  const root = await getAppRoot();
  const run = await root.runs.getRun(runId);
  if (!run || run.value.estate !== root.estate.name) return undefined;
  return buildRunReport(root.estate, run.value, await root.runs.listSteps(runId), root.clock.now());
}

export const runsHttp = {
  listRuns: { methods: ["GET" as const], route: "runs", authLevel: "anonymous" as const, handler: listRuns },
  getRun: { methods: ["GET" as const], route: "runs/{runId}", authLevel: "anonymous" as const, handler: getRun },
  getRunReportPage: { methods: ["GET" as const], route: "runs/{runId}/report", authLevel: "anonymous" as const, handler: getRunReportPage },
};

app.http("listRuns", runsHttp.listRuns);
app.http("getRun", runsHttp.getRun);
app.http("getRunReportPage", runsHttp.getRunReportPage);
