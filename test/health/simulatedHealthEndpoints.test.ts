import { ComputeManagementClient } from "@azure/arm-compute";
import { SiteRecoveryManagementClient } from "@azure/arm-recoveryservices-siterecovery";
import { createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import { LogsQueryClient, LogsQueryResultStatus } from "@azure/monitor-query-logs";
import { MetricsClient } from "@azure/monitor-query-metrics";
import { describe, expect, it } from "vitest";
import { heartbeatQuery, metricsEndpoint } from "../../shared/adapters/monitorAdapter.js";
import type { HealthFaultPlan } from "../../local/simulated-azure/healthFaults.js";
import { createSimulatedAzure } from "../../local/simulated-azure/simulatedAzure.js";
import { sampleEstate } from "../helpers.js";

const estate = sampleEstate();
const NOW = new Date("2026-03-01T02:00:00Z");
const FAST = { retryOptions: { maxRetries: 0 } };
const primary = estate.alerting.expressRouteCircuits[0]?.id ?? "";
const secondary = estate.alerting.expressRouteCircuits[1]?.id ?? "";
const workspace = estate.healthCheck?.logAnalyticsWorkspaceId ?? "";

function setup(health: HealthFaultPlan = {}) {
  const sim = createSimulatedAzure({ estate, clock: { now: () => NOW }, faults: { health } });
  const options = { httpClient: sim.httpClient, ...FAST };
  return {
    sim,
    metrics: (region: string) => new MetricsClient(metricsEndpoint(region), sim.credential, options),
    logs: new LogsQueryClient(sim.credential, options),
    asr: new SiteRecoveryManagementClient(sim.credential, estate.subscriptionId, options),
    compute: new ComputeManagementClient(sim.credential, estate.subscriptionId, options),
  };
}

async function raw(
  sim: ReturnType<typeof setup>["sim"],
  url: string,
  body: unknown,
  headers: Record<string, string> = { authorization: "Bearer t", "content-type": "application/json" },
) {
  const response = await sim.httpClient.sendRequest(
    createPipelineRequest({ url, method: "POST", headers: createHttpHeaders(headers), body: JSON.stringify(body) }),
  );
  return { status: response.status, body: JSON.parse(response.bodyAsText ?? "{}") as { error?: { code: string } } };
}

const batchUrl = (region: string, query = "api-version=2024-02-01&metricnamespace=Microsoft.Network/expressRouteCircuits&metricnames=BgpAvailability") =>
  `https://${region}.metrics.monitor.azure.com/subscriptions/${estate.subscriptionId}/metrics:getBatch?${query}`;

describe("simulated Azure: the health check's endpoints", () => {
  it("Monitor metrics (regional metrics:getBatch) answers BGP/ARP availability through the real MetricsClient", async () => {
    const { sim, metrics } = setup({ expressRouteDown: ["er-contoso-primary"] });
    const [result] = await metrics("eastus").queryResources([primary], ["BgpAvailability", "ArpAvailability"], "Microsoft.Network/expressRouteCircuits", {
      startTime: new Date(NOW.getTime() - 3_600_000),
      endTime: NOW,
      interval: "PT5M",
      aggregation: "average",
    });
    expect(result?.resourceId).toBe(primary);
    // The service names metrics by localized name; the id ends with the metric's name.
    expect(result?.metrics.map((m) => [m.name, m.id?.split("/").pop()])).toEqual([
      ["BGP Availability", "BgpAvailability"],
      ["ARP Availability", "ArpAvailability"],
    ]);
    expect(result?.metrics[0]?.timeseries[0]?.data?.length).toBe(12);
    expect(result?.metrics[0]?.timeseries[0]?.data?.every((d) => d.average === 0)).toBe(true);
    const [up] = await metrics("southeastasia").queryResources([secondary], ["BgpAvailability"], "Microsoft.Network/expressRouteCircuits");
    expect(up?.metrics[0]?.timeseries[0]?.data?.every((d) => d.average === 100)).toBe(true);
    expect(sim.stats()).toMatchObject({ reads: 2, writes: 0 });
    expect(sim.misuse).toEqual([]);
  });

  it("metrics are split by PeeringType: a circuit that lost private peering but kept Microsoft peering averages 50 %, 0 % filtered to private peering", async () => {
    const { metrics } = setup({ privatePeeringDown: ["er-contoso-primary"] });
    const window = { startTime: new Date(NOW.getTime() - 600_000), endTime: NOW, interval: "PT5M", aggregation: "average" };
    const [averaged] = await metrics("eastus").queryResources([primary], ["BgpAvailability"], "Microsoft.Network/expressRouteCircuits", window);
    expect(averaged?.metrics[0]?.timeseries[0]?.data?.every((d) => d.average === 50)).toBe(true);
    const [privatePeering] = await metrics("eastus").queryResources([primary], ["BgpAvailability"], "Microsoft.Network/expressRouteCircuits", {
      ...window,
      filter: "PeeringType eq 'AzurePrivatePeering'",
    });
    const series = privatePeering?.metrics[0]?.timeseries[0];
    // The SDK turns the service's LocalizableString name into its localized text.
    expect(series?.metadatavalues?.map((m) => [m.name, m.value])).toEqual([["PeeringType", "AzurePrivatePeering"]]);
    expect(series?.data?.every((d) => d.average === 0)).toBe(true);
  });

  it("metrics: a circuit asked of another region's endpoint, a wrong api-version or an unknown metric is refused loudly", async () => {
    const { sim } = setup();
    expect((await raw(sim, batchUrl("eastus"), { resourceids: [secondary] })).status).toBe(400);
    expect(
      (
        await raw(sim, batchUrl("eastus", "api-version=2023-10-01&metricnamespace=Microsoft.Network/expressRouteCircuits&metricnames=BgpAvailability"), {
          resourceids: [primary],
        })
      ).body.error?.code,
    ).toBe("InvalidApiVersionParameter");
    expect(
      (
        await raw(sim, batchUrl("eastus", "api-version=2024-02-01&metricnamespace=Microsoft.Network/expressRouteCircuits&metricnames=BitsInPerSecond"), {
          resourceids: [primary],
        })
      ).status,
    ).toBe(400);
    expect((await raw(sim, batchUrl("eastus"), { resourceids: [primary] }, { "content-type": "application/json" })).status).toBe(401);
    expect((await raw(sim, "https://example.invalid/anything", {})).status).toBe(404);
    expect(sim.misuse).toHaveLength(5);
    expect(sim.misuse[0]).toMatch(/region 'southeastasia', but this metrics endpoint serves 'eastus'/);
    expect(sim.stats().writes).toBe(0);
  });

  it("Log Analytics answers the target DC's newest Heartbeat, null outside the window or for a silent DC", async () => {
    const { sim, logs } = setup();
    const result = await logs.queryWorkspace(workspace, heartbeatQuery(estate.targetDomainController.vmId), { duration: "PT24H" });
    expect(result.status).toBe(LogsQueryResultStatus.Success);
    if (result.status !== LogsQueryResultStatus.Success) throw new Error("partial");
    expect(result.tables[0]?.rows[0]?.[0]).toEqual(NOW);

    const silent = setup({ targetDcSilentMinutes: 180 });
    const inWindow = await silent.logs.queryWorkspace(workspace, heartbeatQuery(estate.targetDomainController.vmId), { duration: "PT24H" });
    const outside = await silent.logs.queryWorkspace(workspace, heartbeatQuery(estate.targetDomainController.vmId), { duration: "PT1H" });
    expect(inWindow.status === LogsQueryResultStatus.Success && inWindow.tables[0]?.rows[0]?.[0]).toEqual(new Date(NOW.getTime() - 180 * 60_000));
    expect(outside.status === LogsQueryResultStatus.Success && outside.tables[0]?.rows[0]?.[0]).toBeNull();
    expect(sim.stats()).toMatchObject({ reads: 1, writes: 0 });
  });

  it("Log Analytics: an unknown query is misuse; an unknown workspace is the service's 404, not misuse", async () => {
    const { sim } = setup();
    const url = (ws: string) => `https://api.loganalytics.io/v1/workspaces/${ws}/query`;
    expect((await raw(sim, url(workspace), { query: "Heartbeat | take 10", timespan: "PT1H" })).body.error?.code).toBe("SemanticError");
    expect(
      (await raw(sim, url("00000000-0000-0000-0000-000000000000"), { query: heartbeatQuery(estate.targetDomainController.vmId), timespan: "PT1H" })).body.error
        ?.code,
    ).toBe("WorkspaceNotFoundError");
    expect(sim.misuse).toHaveLength(1);
  });

  it("ASR recovery plans follow the tiers, policies carry the InMageRcm settings, and the instance view shows the VM agent", async () => {
    const { sim, asr, compute } = setup();
    const vault = estate.vaults.eastus;
    if (!vault) throw new Error("vault");
    const plans = [];
    for await (const p of asr.replicationRecoveryPlans.list(vault.name, vault.resourceGroup)) plans.push(p);
    const boot = plans[0]?.properties?.groups
      ?.filter((g) => g.groupType === "Boot")
      .map((g) => (g.replicationProtectedItems ?? []).map((i) => i.id?.split("/").pop()));
    expect(boot).toEqual([
      ["dc01-vsphere", "dc02-vsphere"],
      ["nat01-vsphere"],
      ["api01-vsphere", "api02-vsphere", "api03-vsphere", "api04-vsphere", "api05-vsphere", "api06-vsphere"],
      ["web01-vsphere", "web02-vsphere", "web03-vsphere"],
    ]);
    const policies = [];
    for await (const p of asr.replicationPolicies.list(vault.name, vault.resourceGroup)) policies.push(p);
    expect(policies[0]?.properties?.providerSpecificDetails).toMatchObject({
      instanceType: "InMageRcm",
      recoveryPointHistoryInMinutes: 5 * 1440,
      appConsistentFrequencyInMinutes: 60,
    });
    const view = await compute.virtualMachines.instanceView(vault.resourceGroup, "DC03-EUS");
    expect(view.vmAgent?.statuses?.[0]?.displayStatus).toBe("Ready");
    expect(view.statuses?.map((s) => s.code)).toContain("PowerState/running");
    await expect(compute.virtualMachines.instanceView(vault.resourceGroup, "API01")).rejects.toMatchObject({ statusCode: 404 });
    expect(sim.misuse).toEqual([]);
  });
});
