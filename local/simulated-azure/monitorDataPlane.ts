import type { HttpClient, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { z } from "zod";
import { ASR_LOG_COVERAGE_QUERY } from "../../shared/adapters/monitorAdapter.js";
import type { Clock } from "../../shared/ports/clock.js";
import { PEERINGS, type HealthWorld } from "./healthWorld.js";
import { ARM_HOST, lastSegment } from "./ids.js";
import { answerFault, respond } from "./simResponses.js";
import type { Stats } from "./stats.js";
import { parseBody } from "./validate.js";
import type { World } from "./world.js";

/** api-version @azure/monitor-query-metrics 1.0 sends to metrics:getBatch. */
export const METRICS_BATCH_API_VERSION = "2024-02-01";
export const LOGS_HOST = "api.loganalytics.io";
const METRICS_HOST = /^([a-z0-9]+)\.metrics\.monitor\.azure\.com$/;
const CIRCUIT_NAMESPACE = "microsoft.network/expressroutecircuits";
const CIRCUIT_METRICS: Readonly<Record<string, { name: string; localized: string; description: string }>> = {
  bgpavailability: { name: "BgpAvailability", localized: "BGP Availability", description: "BGP Availability from MSEE towards all peers." },
  arpavailability: { name: "ArpAvailability", localized: "ARP Availability", description: "ARP Availability from MSEE towards all peers." },
};
const AGGREGATIONS = new Set(["average", "minimum", "maximum", "total", "count"]);
const INTERVALS: Readonly<Record<string, number>> = { PT1M: 1, PT5M: 5, PT15M: 15, PT30M: 30, PT1H: 60, PT6H: 360, PT12H: 720, P1D: 1440 };
/** The only query shape the simulated workspace answers: the target DC's newest Heartbeat. */
const HEARTBEAT_QUERY = /^Heartbeat\s*\|\s*where _ResourceId =~ '([^']+)'\s*\|\s*summarize LastHeartbeat = max\(TimeGenerated\)\s*$/;

const BatchBody = z.strictObject({ resourceids: z.array(z.string().min(1)).min(1, "at least one resource id").max(50, "at most 50 resource ids per batch") });
const QueryBody = z.strictObject({ query: z.string().min(1), timespan: z.string().min(1).optional(), workspaces: z.array(z.string()).optional() });

export interface MonitorDataPlaneDeps {
  readonly world: World;
  readonly health: HealthWorld;
  readonly clock: Clock;
  readonly stats: Stats;
  readonly misuse: string[];
}

/**
 * Azure Monitor's data plane, reached by host rather than through ARM: `<region>.metrics.monitor.azure.com`
 * (metrics:getBatch, regional: every resource must live in the endpoint's region) and `api.loganalytics.io`
 * (workspace queries). Requests are validated like the services do and misuse is recorded; both are
 * query POSTs that only read, and are counted as reads.
 */
export function createMonitorDataPlane(deps: MonitorDataPlaneDeps): HttpClient {
  const { stats, health, misuse } = deps;
  return {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const url = new URL(request.url);
      const host = url.hostname.toLowerCase();
      const method = request.method.toUpperCase();
      const metrics = METRICS_HOST.exec(host);
      const operation = metrics ? "Metrics_Batch" : host === LOGS_HOST ? "Query_Execute" : "Unknown";
      const reject = (status: number, code: string, message: string): Answer => {
        misuse.push(`${method} ${host}${url.pathname}: ${status} ${code}: ${message}`);
        return { status, body: { error: { code, message } } };
      };
      const send = (answer: Answer): PipelineResponse => {
        stats.countAnswer(operation, answer.status);
        return respond(request, answer.status, answer.body);
      };
      const fault = metrics ? health.plan.failReads?.metrics : host === LOGS_HOST ? health.plan.failReads?.logs : undefined;
      if (fault) {
        const scope = metrics ? `/subscriptions/${deps.world.estate.subscriptionId}` : url.pathname;
        return answerFault(
          request,
          fault,
          {
            operation,
            action: metrics ? "Microsoft.Insights/metrics/read" : "Microsoft.OperationalInsights/workspaces/query/read",
            scope,
            ...(metrics ? {} : { forbiddenCode: "InsufficientAccessError" }),
          },
          stats,
          health.plan.throttleRetryAfterSeconds ?? 1,
        );
      }
      stats.countRequest(method, "read");
      if (!request.headers.get("authorization")?.startsWith("Bearer "))
        return send(reject(401, "AuthenticationFailed", "The 'Authorization' header is missing a bearer token."));
      if (!metrics && host !== LOGS_HOST)
        return send(
          reject(
            404,
            "NotFound",
            `No simulated endpoint serves host '${host}' (ARM is ${ARM_HOST}; Monitor metrics is <region>.metrics.monitor.azure.com; Log Analytics is ${LOGS_HOST}).`,
          ),
        );
      if (method !== "POST") return send(reject(405, "MethodNotAllowed", `${method} is not simulated on ${host}: the health check queries with POST.`));
      const body = parseJson(request);
      if ("error" in body) return send(reject(400, "BadRequest", body.error));
      return send(metrics ? metricsBatch(deps, url, metrics[1] ?? "", body.value, reject) : logsQuery(deps, url, body.value, reject));
    },
  };
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

type Reject = (status: number, code: string, message: string) => Answer;

function parseJson(request: PipelineRequest): { value: unknown } | { error: string } {
  if (typeof request.body !== "string" || request.body.length === 0) return { error: "The request needs a JSON body." };
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/json")) return { error: `Content type '${type}' is not supported; send application/json.` };
  try {
    return { value: JSON.parse(request.body) as unknown };
  } catch {
    return { error: "The request body is not valid JSON." };
  }
}

function metricsBatch(deps: MonitorDataPlaneDeps, url: URL, region: string, body: unknown, reject: Reject): Answer {
  const { world, health, clock } = deps;
  const path = decodeURIComponent(url.pathname);
  const match = /^\/subscriptions\/([^/]+)\/metrics:getBatch$/i.exec(path);
  if (!match) return reject(404, "NotFound", `No metrics batch endpoint at ${path}; it is /subscriptions/{subscriptionId}/metrics:getBatch.`);
  if ((match[1] ?? "").toLowerCase() !== world.estate.subscriptionId.toLowerCase())
    return reject(404, "SubscriptionNotFound", `The subscription '${match[1] ?? ""}' could not be found.`);
  const q = url.searchParams;
  if (q.get("api-version") !== METRICS_BATCH_API_VERSION)
    return reject(
      400,
      "InvalidApiVersionParameter",
      `The api-version '${q.get("api-version") ?? ""}' is invalid; the supported version is '${METRICS_BATCH_API_VERSION}'.`,
    );
  if ((q.get("metricnamespace") ?? "").toLowerCase() !== CIRCUIT_NAMESPACE)
    return reject(400, "BadRequest", `Metric namespace '${q.get("metricnamespace") ?? ""}' is not simulated: only Microsoft.Network/expressRouteCircuits is.`);
  const names = (q.get("metricnames") ?? "")
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  if (names.length === 0) return reject(400, "BadRequest", "metricnames is required.");
  const unknown = names.filter((n) => !CIRCUIT_METRICS[n.toLowerCase()]);
  if (unknown.length > 0)
    return reject(
      400,
      "BadRequest",
      `Failed to find metric configuration for provider: Microsoft.Network, resource Type: expressRouteCircuits, metric: ${unknown.join(", ")}. Valid metrics: BgpAvailability, ArpAvailability (simulated).`,
    );
  const aggregations = (q.get("aggregation") ?? "average").split(",").map((a) => a.trim().toLowerCase());
  if (aggregations.some((a) => !AGGREGATIONS.has(a))) return reject(400, "BadRequest", `Invalid aggregation '${q.get("aggregation") ?? ""}'.`);
  const interval = q.get("interval") ?? "PT1M";
  if (interval !== "FULL" && INTERVALS[interval] === undefined)
    return reject(400, "BadRequest", `Invalid interval '${interval}'; use one of ${Object.keys(INTERVALS).join(", ")} or FULL.`);
  const end = q.get("endtime") ? new Date(q.get("endtime") ?? "") : clock.now();
  const start = q.get("starttime") ? new Date(q.get("starttime") ?? "") : new Date(end.getTime() - 3_600_000);
  if (!Number.isFinite(start.getTime()) || !Number.isFinite(end.getTime()) || start >= end)
    return reject(400, "BadRequest", `Invalid time range starttime=${q.get("starttime") ?? ""} endtime=${q.get("endtime") ?? ""}.`);
  const parsed = parseBody(BatchBody, body);
  if (!parsed.ok) return reject(400, "BadRequest", `Invalid batch body: ${parsed.problems}`);
  const circuits = world.estate.alerting.expressRouteCircuits;
  for (const id of parsed.value.resourceids) {
    const known = circuits.find((c) => c.id.toLowerCase() === id.toLowerCase());
    if (!known) return reject(400, "BadRequest", `Resource '${id}' is not an ExpressRoute circuit of this subscription.`);
    const home = health.circuitRegion(id);
    if (home !== region.toLowerCase())
      return reject(
        400,
        "BadRequest",
        `Resource '${lastSegment(id)}' is in region '${home ?? "unknown"}', but this metrics endpoint serves '${region}': batch one region per endpoint.`,
      );
  }
  const stepMs = interval === "FULL" ? end.getTime() - start.getTime() : (INTERVALS[interval] ?? 1) * 60_000;
  const stamps: Date[] = [];
  for (let t = Math.ceil(start.getTime() / stepMs) * stepMs; t < end.getTime() && stamps.length < 10_000; t += stepMs) stamps.push(new Date(t));
  if (interval === "FULL") stamps.splice(0, stamps.length, start);
  // `filter` on a dimension (PeeringType eq '...') returns that series with its metadata; without one,
  // the service aggregates across the dimension's values (metrics REST API, "filter"), here an average.
  const filter = q.get("filter") ?? "";
  const peeringFilter = /^\s*PeeringType\s+eq\s+'([^']*)'\s*$/i.exec(filter);
  if (filter && !peeringFilter) return reject(400, "BadRequest", `Filter '${filter}' is not simulated: only "PeeringType eq '<value>'" is.`);
  const peering = PEERINGS.find((p) => p.toLowerCase() === peeringFilter?.[1]?.toLowerCase());
  const values = parsed.value.resourceids.map((id) => {
    const value = peeringFilter
      ? peering
        ? health.peeringAvailability(id, peering)
        : null
      : PEERINGS.reduce((sum, p) => sum + health.peeringAvailability(id, p), 0) / PEERINGS.length;
    const metadatavalues = peeringFilter ? [{ name: { value: "PeeringType", localizedValue: "PeeringType" }, value: peeringFilter[1] }] : [];
    return {
      starttime: start.toISOString(),
      endtime: end.toISOString(),
      interval,
      value: names.map((n) => {
        const m = CIRCUIT_METRICS[n.toLowerCase()] as { name: string; localized: string; description: string };
        return {
          id: `${id}/providers/Microsoft.Insights/metrics/${m.name}`,
          type: "Microsoft.Insights/metrics",
          name: { value: m.name, localizedValue: m.localized },
          displayDescription: m.description,
          unit: "Percent",
          // A peering the circuit does not have has no series at all.
          timeseries:
            value === null
              ? []
              : [
                  {
                    metadatavalues,
                    data: stamps.map((t) => ({ timeStamp: t.toISOString(), ...Object.fromEntries(aggregations.map((a) => [a, a === "count" ? 1 : value])) })),
                  },
                ],
          errorCode: "Success",
        };
      }),
      namespace: CIRCUIT_NAMESPACE,
      resourceregion: region,
      resourceid: id,
    };
  });
  return { status: 200, body: { values } };
}

function logsQuery(deps: MonitorDataPlaneDeps, url: URL, body: unknown, reject: Reject): Answer {
  const { world, health, clock } = deps;
  const path = decodeURIComponent(url.pathname);
  const match = /^\/v1\/workspaces\/([^/]+)\/query$/i.exec(path);
  if (!match) return reject(404, "PathNotFoundError", `No Log Analytics endpoint at ${path}; queries go to /v1/workspaces/{workspaceId}/query.`);
  const workspace = world.estate.healthCheck?.logAnalyticsWorkspaceId;
  const parsed = parseBody(QueryBody, body);
  if (!parsed.ok) return reject(400, "BadArgumentError", `Invalid query body: ${parsed.problems}`);
  const asrWorkspace = world.estate.healthCheck?.asrLogsWorkspaceId;
  if (asrWorkspace && (match[1] ?? "").toLowerCase() === asrWorkspace.toLowerCase()) return asrLogsQuery(deps, parsed.value.query, reject);
  if (!workspace || (match[1] ?? "").toLowerCase() !== workspace.toLowerCase()) {
    // A wrong workspace id is a setting problem the service answers, not a malformed request.
    return { status: 404, body: { error: { code: "WorkspaceNotFoundError", message: `Workspace '${match[1] ?? ""}' could not be found.` } } };
  }
  const query = HEARTBEAT_QUERY.exec(parsed.value.query.trim());
  if (!query)
    return reject(
      400,
      "SemanticError",
      `The simulated workspace answers only "Heartbeat | where _ResourceId =~ '<vm id>' | summarize LastHeartbeat = max(TimeGenerated)"; got: ${parsed.value.query}`,
    );
  const windowMs = parseTimespan(parsed.value.timespan);
  if (windowMs === undefined)
    return reject(400, "BadArgumentError", `Invalid timespan '${parsed.value.timespan ?? ""}': use an ISO 8601 duration such as PT24H.`);
  const now = clock.now();
  const dc = world.estate.targetDomainController.vmId.toLowerCase();
  const last = (query[1] ?? "").toLowerCase() === dc ? health.targetDcLastHeartbeat(now) : undefined;
  const inWindow = last && now.getTime() - last.getTime() <= windowMs ? last.toISOString() : null;
  return { status: 200, body: { tables: [{ name: "PrimaryResult", columns: [{ name: "LastHeartbeat", type: "datetime" }], rows: [[inWindow]] }] } };
}

/**
 * The deployment's workspace, which the vaults' diagnostic settings feed (AzureDiagnostics mode) and
 * the RPO alert rule queries. It answers only the product's coverage query (ASR_LOG_COVERAGE_QUERY).
 * Nothing documents what the modernized VMware provider writes there: by default each vault sends one
 * AzureSiteRecoveryReplicatedItems row per protected item with replicationProviderName_s 'InMageRcm'
 * and rpoInSeconds_d, the shape Microsoft documents for InMageAzureV2 (monitor-log-analytics.md).
 * That is an assumption, not a fact (README.md, "Verify once on a real tenant"); the health fault
 * `asrLogs` shows the two ways the rule can be blind.
 */
function asrLogsQuery(deps: MonitorDataPlaneDeps, query: string, reject: Reject): Answer {
  if (query.trim() !== ASR_LOG_COVERAGE_QUERY)
    return reject(400, "SemanticError", `The simulated Site Recovery log workspace answers only the product's coverage query; got: ${query}`);
  const { world, health, clock } = deps;
  const mode = health.plan.asrLogs;
  const columns = [
    { name: "Vault", type: "string" },
    { name: "Provider", type: "string" },
    { name: "Rows", type: "long" },
    { name: "RowsWithRpo", type: "long" },
    { name: "Newest", type: "datetime" },
  ];
  const newest = new Date(Math.floor(clock.now().getTime() / 3_600_000) * 3_600_000).toISOString();
  const rows =
    mode === "none"
      ? []
      : Object.entries(world.estate.vaults).map(([key, vault]) => {
          const items = world.estate.vms.filter((vm) => vm.vault === key).length;
          return [vault.name.toLowerCase(), vault.provider, items, mode === "withoutRpo" ? 0 : items, newest];
        });
  return { status: 200, body: { tables: [{ name: "PrimaryResult", columns, rows }] } };
}

/** 'PT24H', 'P1D', 'PT30M', or 'start/end'. */
function parseTimespan(timespan: string | undefined): number | undefined {
  if (!timespan) return 24 * 3_600_000;
  if (timespan.includes("/")) {
    const [a = "", b = ""] = timespan.split("/");
    const start = Date.parse(a);
    const end = Date.parse(b);
    if (Number.isFinite(start) && Number.isFinite(end)) return end - start;
    const d = parseTimespan(Number.isFinite(start) ? b : a);
    return d;
  }
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(timespan);
  if (!m || timespan === "P" || timespan === "PT") return undefined;
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000 + Number(m[4] ?? 0) * 1000;
}
