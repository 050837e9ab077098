import { renderHealthReportHtml } from "../../reports/renderHealthReportHtml.js";
import type { HttpRoute } from "../hostTypes.js";
import { consoleHistory } from "./consoleHistory.js";
import { consoleState } from "./consoleState.js";
import { htmlPage, problem, REFUSALS } from "./problem.js";
import { userRoute, type UserCall } from "./route.js";
import { consoleAsset, consolePage } from "./staticAssets.js";

const HEALTH_REPORT_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** A reader's GET of the console's page: a browser without a session is sent to sign in first. */
function pageRoute(name: string, route: string): HttpRoute {
  return userRoute({ name, methods: ["GET"], route, role: "reader", action: "open console", handle: () => consolePage() });
}

/** A reader's GET of what a console view shows, as JSON. */
function readRoute(name: string, route: string, action: string, read: (call: UserCall) => Promise<Record<string, unknown>>): HttpRoute {
  return userRoute({ name, methods: ["GET"], route, role: "reader", action, handle: async (call) => ({ jsonBody: await read(call) }) });
}

/** GET /api/console (reader): the operator console's page. */
export const consoleIndex = pageRoute("console", "console");

/**
 * GET /api/console/runs/{runId} (reader): the console opened on a run, the link notifications carry
 * (RUN_PAGE_BASE_URL). A path rather than a #fragment, so it survives the sign-in's redirects.
 */
export const consoleRunPage = pageRoute("consoleRun", "console/runs/{runId}");

/**
 * GET /api/console/assets/{file}: the console's script and styles. Anonymous like any static file:
 * they hold no data, and every read of data goes through the authorized API.
 */
export const consoleAssets: HttpRoute = {
  name: "consoleAssets",
  methods: ["GET"],
  route: "console/assets/{file}",
  handler: (request) => consoleAsset(request.params["file"] ?? ""),
};

/** GET /api/console/state (reader): the signed-in person, the estate's readiness, the incident, the active run. */
export const consoleStateRoute = readRoute("consoleState", "console/state", "read console state", consoleState);

/** GET /api/console/history (reader): runs with RTO and data loss against the targets, and the health checks. */
export const consoleHistoryRoute = readRoute("consoleHistory", "console/history", "read history", consoleHistory);

/** GET /api/health/{reportId}/report (reader): a kept health-check report as its readable page. */
export const healthReportPage: HttpRoute = userRoute({
  name: "healthReportPage",
  methods: ["GET"],
  route: "health/{reportId}/report",
  role: "reader",
  action: "read health report",
  async handle({ root, request }) {
    const reportId = request.params["reportId"] ?? "";
    if (!HEALTH_REPORT_ID.test(reportId))
      return problem(REFUSALS.invalid.status, REFUSALS.invalid.title, "reportId: 1 to 100 letters, digits, '.', '_', ':' or '-'", { field: "reportId" });
    const report = await root.healthCheck.history.get(root.estate.name, reportId);
    if (!report) return problem(REFUSALS.notFound.status, REFUSALS.notFound.title, `no health report '${reportId}'`);
    return htmlPage(renderHealthReportHtml(report));
  },
});

export const CONSOLE_ROUTES: readonly HttpRoute[] = [consoleIndex, consoleRunPage, consoleAssets, consoleStateRoute, consoleHistoryRoute, healthReportPage];
