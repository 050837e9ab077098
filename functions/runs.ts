import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { getAppRoot } from "../shared/appRoot.js";
import { buildRunReport } from "../shared/report/buildRunReport.js";
import { renderRunReportHtml } from "../shared/report/renderRunReportHtml.js";
import { authorizeUser } from "./authorizeUser.js";
import { problem } from "./httpProblem.js";

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
  const report = await reportOf(request.params.runId ?? "");
  return report ? { jsonBody: report } : problem(404, "Not found", `no run '${request.params.runId ?? ""}'`);
}

/** GET /api/runs/{runId}/report: the readable page. */
export async function getRunReportPage(request: HttpRequest): Promise<HttpResponseInit> {
  const root = await getAppRoot();
  const auth = await authorizeUser(root, request, "reader", "read run report");
  if (!auth.ok) return auth.response;
  const report = await reportOf(request.params.runId ?? "");
  return report ? { headers: { "content-type": "text/html; charset=utf-8" }, body: renderRunReportHtml(report) } : problem(404, "Not found", `no run '${request.params.runId ?? ""}'`);
}

async function reportOf(runId: string) {
  const root = await getAppRoot();
  const run = await root.runs.getRun(runId);
  if (!run) return undefined;
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
