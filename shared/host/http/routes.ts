import type { HttpRoute } from "../hostTypes.js";
import { alerts } from "./alerts.js";
import { CONSOLE_ROUTES } from "./consoleRoutes.js";
import { listAudit } from "./audit.js";
import { failover } from "./failover.js";
import { approveIncident, killSwitch } from "./incidents.js";
import { runActions } from "./runActions.js";
import { getRoundTrip, getRoundTripReportPage, getRun, getRunReportPage, listRuns } from "./runs.js";

/**
 * Every HTTP endpoint of the product: functions/httpApi.ts registers each with the Functions host
 * (anonymous at the host: each route authenticates its caller itself), and the sandbox serves the same list.
 */
export const HTTP_ROUTES: readonly HttpRoute[] = [
  alerts,
  failover,
  listRuns,
  getRun,
  getRunReportPage,
  getRoundTrip,
  getRoundTripReportPage,
  ...runActions,
  listAudit,
  killSwitch,
  approveIncident,
  ...CONSOLE_ROUTES,
];
