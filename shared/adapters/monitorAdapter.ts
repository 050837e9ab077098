import { LogsQueryResultStatus, type LogsQueryClient } from "@azure/monitor-query-logs";
import type { Metric, MetricsClient, MetricsQueryResourcesOptions } from "@azure/monitor-query-metrics";
import type { AsrLogCoverage, CircuitAvailability } from "../domain/health/healthSnapshot.js";
import type { Clock } from "../ports/clock.js";
import { DrError } from "../ports/errors.js";
import type { MonitorPort } from "../ports/healthReads.js";
import { callAzure } from "./azureErrors.js";

export const EXPRESS_ROUTE_NAMESPACE = "Microsoft.Network/expressRouteCircuits";
export const CIRCUIT_METRICS = ["BgpAvailability", "ArpAvailability"] as const;
/**
 * The site's traffic rides the circuit's private peering. BgpAvailability and ArpAvailability are
 * split by the PeeringType dimension (Microsoft docs, "ExpressRoute monitoring, metrics, and alerts");
 * averaged over every peering, a circuit that lost private peering but kept Microsoft peering reads 50 %.
 */
export const PRIVATE_PEERING_FILTER = "PeeringType eq 'AzurePrivatePeering'";

/** Monitor's metrics batch API is regional: one client per region of the resources it reads. */
export function metricsEndpoint(region: string): string {
  return `https://${region.toLowerCase()}.metrics.monitor.azure.com`;
}

/** The Heartbeat query for one VM: the newest record in the window, one row even when there is none. */
export function heartbeatQuery(vmId: string): string {
  if (!/^\/subscriptions\/[^'"\\\s]+$/i.test(vmId)) throw new DrError("InvalidInput", `not a resource id: ${vmId}`);
  return `Heartbeat\n| where _ResourceId =~ '${vmId.toLowerCase()}'\n| summarize LastHeartbeat = max(TimeGenerated)`;
}

/**
 * What the vaults sent as AzureSiteRecoveryReplicatedItems to the RPO rule's workspace, per vault and
 * provider: how many rows, how many carry rpoInSeconds_d (the column the rule compares), the newest.
 * Category, Resource, replicationProviderName_s and rpoInSeconds_d are the AzureDiagnostics columns
 * of Microsoft's Site Recovery queries (learn.microsoft.com/azure/site-recovery/monitor-log-analytics).
 */
export const ASR_LOG_COVERAGE_QUERY = [
  "AzureDiagnostics",
  '| where Category == "AzureSiteRecoveryReplicatedItems"',
  "| summarize Rows = count(), RowsWithRpo = countif(isnotnull(rpoInSeconds_d)), Newest = max(TimeGenerated) by Vault = tolower(Resource), Provider = replicationProviderName_s",
].join("\n");

export interface MonitorAdapterDeps {
  readonly metricsClientFor: (region: string) => MetricsClient;
  readonly logs: LogsQueryClient;
  readonly clock: Clock;
}

/**
 * ExpressRoute availability from platform metrics (metrics:getBatch, all circuits of a region in one
 * call) and the target DC's Heartbeat from Log Analytics. A metric with no data point in the window
 * is reported as null, never as 0 or 100.
 */
export function createMonitor({ metricsClientFor, logs, clock }: MonitorAdapterDeps): MonitorPort {
  return {
    async circuitAvailability(region, circuitIds, windowMinutes, options = {}) {
      const endTime = clock.now();
      const startTime = new Date(endTime.getTime() - windowMinutes * 60_000);
      // abortSignal is honoured at run time (the options reach the request) though the public type omits it.
      const query: MetricsQueryResourcesOptions & { abortSignal?: AbortSignal } = {
        startTime,
        endTime,
        interval: "PT5M",
        aggregation: "average",
        filter: PRIVATE_PEERING_FILTER,
        ...(options.signal ? { abortSignal: options.signal } : {}),
      };
      const results = await callAzure(`read ExpressRoute metrics in ${region}`, () =>
        metricsClientFor(region).queryResources([...circuitIds], [...CIRCUIT_METRICS], EXPRESS_ROUTE_NAMESPACE, query),
      );
      const byId = new Map<string, CircuitAvailability>();
      for (const result of results) {
        if (!result.resourceId) continue;
        byId.set(result.resourceId.toLowerCase(), {
          bgpPercent: averageOf(metricNamed(result.metrics, "BgpAvailability")),
          arpPercent: averageOf(metricNamed(result.metrics, "ArpAvailability")),
          windowMinutes,
        });
      }
      return byId;
    },

    async lastHeartbeat(workspaceId, vmId, windowHours, options = {}) {
      const result = await callAzure("query the target DC's Heartbeat", () =>
        logs.queryWorkspace(
          workspaceId,
          heartbeatQuery(vmId),
          { duration: `PT${windowHours}H` },
          { serverTimeoutInSeconds: 60, ...(options.signal ? { abortSignal: options.signal } : {}) },
        ),
      );
      if (result.status !== LogsQueryResultStatus.Success) {
        throw new DrError(
          "Transient",
          `Log Analytics returned a partial result: ${result.partialError.code ?? ""} ${result.partialError.message ?? ""}`.trim(),
        );
      }
      const cell = result.tables[0]?.rows[0]?.[0];
      if (cell === undefined || cell === null || cell === "") return null;
      const date = cell instanceof Date ? cell : typeof cell === "string" || typeof cell === "number" ? new Date(cell) : new Date(Number.NaN);
      if (!Number.isFinite(date.getTime())) throw new DrError("Unknown", `Log Analytics returned an unreadable LastHeartbeat: ${JSON.stringify(cell)}`);
      return date;
    },

    async asrLogCoverage(workspaceId, windowHours, options = {}) {
      const result = await callAzure("query the vaults' Site Recovery logs", () =>
        logs.queryWorkspace(
          workspaceId,
          ASR_LOG_COVERAGE_QUERY,
          { duration: `PT${windowHours}H` },
          { serverTimeoutInSeconds: 60, ...(options.signal ? { abortSignal: options.signal } : {}) },
        ),
      );
      if (result.status !== LogsQueryResultStatus.Success) {
        throw new DrError(
          "Transient",
          `Log Analytics returned a partial result: ${result.partialError.code ?? ""} ${result.partialError.message ?? ""}`.trim(),
        );
      }
      const table = result.tables[0];
      if (!table) return [];
      const column = (name: string): number => table.columnDescriptors.findIndex((c) => c.name === name);
      const [vault, provider, rows, withRpo, newest] = ["Vault", "Provider", "Rows", "RowsWithRpo", "Newest"].map(column) as [
        number,
        number,
        number,
        number,
        number,
      ];
      if ([vault, provider, rows, withRpo, newest].some((i) => i < 0))
        throw new DrError("Unknown", "Log Analytics returned the Site Recovery log summary without its columns");
      const textAt = (row: readonly unknown[], i: number): string => {
        const cell = row[i];
        return typeof cell === "string" ? cell : "";
      };
      return table.rows.map((row): AsrLogCoverage => {
        const cell = row[newest];
        const date = cell instanceof Date ? cell : typeof cell === "string" ? new Date(cell) : null;
        return {
          vault: textAt(row, vault).toLowerCase(),
          provider: textAt(row, provider),
          rows: Number(row[rows] ?? 0),
          rowsWithRpo: Number(row[withRpo] ?? 0),
          newest: date && Number.isFinite(date.getTime()) ? date : null,
        };
      });
    },
  };
}

/** The service names metrics by id ('.../providers/Microsoft.Insights/metrics/BgpAvailability'); the SDK's name is the localized one. */
function metricNamed(metrics: readonly Metric[], name: string): Metric | undefined {
  const lower = name.toLowerCase();
  return metrics.find((m) => m.id?.toLowerCase().endsWith(`/${lower}`) || m.name.toLowerCase() === lower);
}

function averageOf(metric: Metric | undefined): number | null {
  if (!metric || (metric.errorCode && metric.errorCode !== "Success")) return null;
  const values = metric.timeseries.flatMap((ts) => (ts.data ?? []).flatMap((d) => (typeof d.average === "number" ? [d.average] : [])));
  if (values.length === 0) return null;
  return values.reduce((a, b) => a + b, 0) / values.length;
}
