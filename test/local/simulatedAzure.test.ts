import { readFileSync } from "node:fs";
import { createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import type { ReplicationProtectedItem, TestFailoverInput, UnplannedFailoverInput } from "@azure/arm-recoveryservices-siterecovery";
import { describe, expect, it } from "vitest";
import { parseEstate, type Estate, type Vm } from "../../shared/domain/estate.js";
import { createSimulatedClients } from "../../local/simulated-azure/clients.js";
import { createSimulatedAzure, type FaultPlan, type SimulatedAzure } from "../../local/simulated-azure/simulatedAzure.js";

const estate: Estate = parseEstate(JSON.parse(readFileSync(new URL("../../estate/sample-estate.json", import.meta.url), "utf8")));
const FAST_RETRY = { retryDelayInMs: 1, maxRetryDelayInMs: 5 };
const MINUTE = 60_000;

function vm(name: string): Vm {
  const found = estate.vms.find((v) => v.name === name);
  if (!found) throw new Error(`no VM ${name}`);
  return found;
}

function vaultOf(name: string) {
  const v = estate.vaults[vm(name).vault];
  if (!v) throw new Error(`no vault for ${name}`);
  return v;
}

/** A simulator on a manual clock plus the real SDK clients wired to it. */
function setup(faults?: FaultPlan) {
  let t = Date.parse("2025-03-01T10:02:30Z");
  const clock = { now: () => new Date(t) };
  const sim = createSimulatedAzure({ estate, clock, ...(faults ? { faults } : {}) });
  const clients = createSimulatedClients(sim, estate.subscriptionId, FAST_RETRY);
  return {
    sim,
    ...clients,
    advance: (ms: number) => {
      t += ms;
    },
    now: () => new Date(t),
  };
}

/** Arguments that locate a VM's protected item, in the SDK's parameter order. */
function itemArgs(name: string): [string, string, string, string, string] {
  const v = vaultOf(name);
  return [v.name, v.resourceGroup, v.fabric, v.protectionContainer, vm(name).protectedItem];
}

const unplannedInput = (recoveryPointId?: string): UnplannedFailoverInput => ({
  properties: {
    failoverDirection: "PrimaryToRecovery",
    sourceSiteOperations: "NotRequired",
    providerSpecificDetails: { instanceType: "InMageRcm", performShutdown: "false", ...(recoveryPointId ? { recoveryPointId } : {}) },
  },
});

const testFailoverInput = (name: string): TestFailoverInput => ({
  properties: {
    failoverDirection: "PrimaryToRecovery",
    networkType: "VmNetworkAsInput",
    networkId: vaultOf(name).testNetworkId,
    providerSpecificDetails: { instanceType: "InMageRcm", networkId: vaultOf(name).testNetworkId },
  },
});

/** The ASR job behind a begin* poller: the last segment of its Azure-AsyncOperation URL. */
function jobNameOf(poller: { toString(): string }): string {
  const state = JSON.parse(poller.toString()) as { state: { config: { operationLocation: string } } };
  const path = state.state.config.operationLocation.split("?")[0] ?? "";
  return path.split("/").pop() ?? "";
}

async function raw(
  sim: SimulatedAzure,
  method: string,
  path: string,
  options: { body?: unknown; apiVersion?: string | null; headers?: Record<string, string> } = {},
) {
  const query = options.apiVersion === null ? "" : `?api-version=${options.apiVersion ?? "2023-06-01"}`;
  const request = createPipelineRequest({
    url: `https://management.azure.com${path}${query}`,
    method: method as "GET",
    headers: createHttpHeaders({ authorization: "Bearer test", "content-type": "application/json", ...options.headers }),
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const response = await sim.httpClient.sendRequest(request);
  return {
    status: response.status,
    headers: response.headers,
    body: response.bodyAsText ? (JSON.parse(response.bodyAsText) as { error?: { code: string; message: string } }) : undefined,
  };
}

function itemPath(name: string): string {
  const v = vaultOf(name);
  return `/subscriptions/${estate.subscriptionId}/resourceGroups/${v.resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${v.name}/replicationFabrics/${v.fabric}/replicationProtectionContainers/${v.protectionContainer}/replicationProtectedItems/${vm(name).protectedItem}`;
}

describe("simulated Azure: seeding from the estate", () => {
  it("holds one protected, healthy InMageRcm item per VM in its vault", async () => {
    const { siteRecovery, sim } = setup();
    const item = await siteRecovery.replicationProtectedItems.get(...itemArgs("DC01"));
    expect(item.name).toBe("dc01-vsphere");
    expect(item.id?.toLowerCase()).toBe(itemPath("DC01").toLowerCase());
    expect(item.properties).toMatchObject({
      friendlyName: "DC01",
      protectionState: "Protected",
      activeLocation: "Primary",
      replicationHealth: "Normal",
      testFailoverState: "None",
      currentScenario: { scenarioName: "None" },
      providerSpecificDetails: { instanceType: "InMageRcm" },
    });
    expect(item.properties?.currentScenario?.jobId).toMatch(/\/replicationJobs\/None$/);
    expect(item.properties?.allowedOperations).toEqual(expect.arrayContaining(["UnplannedFailover", "TestFailover"]));

    const east = vaultOf("DC01");
    const listed: ReplicationProtectedItem[] = [];
    for await (const i of siteRecovery.replicationProtectedItems.listByReplicationProtectionContainers(
      east.name,
      east.resourceGroup,
      east.fabric,
      east.protectionContainer,
    ))
      listed.push(i);
    expect(listed.map((i) => i.properties?.friendlyName).sort()).toEqual(
      estate.vms
        .filter((v) => v.vault === "eastus")
        .map((v) => v.name)
        .sort(),
    );
    const asia = vaultOf("REC01");
    const asiaItems: ReplicationProtectedItem[] = [];
    for await (const i of siteRecovery.replicationProtectedItems.list(asia.name, asia.resourceGroup)) asiaItems.push(i);
    expect(asiaItems).toHaveLength(4);

    expect(sim.existingVmNames()).toEqual(["DC03-EUS"]);
    expect(sim.protectedItem("REC03")).toEqual({
      protectionState: "Protected",
      activeLocation: "Primary",
      testFailoverState: "None",
      allowedOperations: ["UnplannedFailover", "TestFailover", "DisableProtection"],
    });
    expect(sim.nextCompletionAt()).toBeUndefined();
    expect(sim.misuse).toEqual([]);
  });

  it("lists crash-consistent points every 5 min for 2 h and app-consistent ones every hour across the retention", async () => {
    const { siteRecovery, sim, now } = setup();
    const points = [];
    for await (const p of siteRecovery.recoveryPoints.listByReplicationProtectedItems(...itemArgs("API01"))) points.push(p);
    const times = points.map((p) => p.properties?.recoveryPointTime?.getTime() ?? 0);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const latest = points[points.length - 1];
    // Listed points are processed from the data ASR received, which trails the VM by a few minutes (recorded lastRpoInSeconds 199-346 s).
    expect(latest?.properties?.recoveryPointTime?.toISOString()).toBe("2025-03-01T09:55:00.000Z");
    const crash = points.filter((p) => p.properties?.recoveryPointType === "CrashConsistent");
    const app = points.filter((p) => p.properties?.recoveryPointType === "AppConsistent");
    expect(crash.length + app.length).toBe(points.length);
    expect(crash.every((p) => now().getTime() - (p.properties?.recoveryPointTime?.getTime() ?? 0) < 2 * 60 * MINUTE)).toBe(true);
    expect(crash).toHaveLength(22); // 24 five-minute slots in 2 h, two of them on the hour are app-consistent
    expect(app).toHaveLength(estate.objectives.retentionDays * 24);
    expect(latest?.id?.toLowerCase().startsWith(`${itemPath("API01").toLowerCase()}/recoverypoints/`)).toBe(true);
    expect(latest?.properties?.providerSpecificDetails?.instanceType).toBe("InMageRcm");
    expect(sim.misuse).toEqual([]);
  });
});

describe("simulated Azure: ASR failover jobs", () => {
  it("runs an unplanned failover as a job that completes when the simulated clock has moved", async () => {
    const { siteRecovery, sim, advance, now } = setup();
    const poller = await siteRecovery.replicationProtectedItems.beginUnplannedFailover(...itemArgs("DC01"), unplannedInput());
    // begin* sent the POST and polled once: the job runs.
    expect(poller.isDone()).toBe(false);
    const jobName = jobNameOf(poller);
    const v = vaultOf("DC01");
    const running = await siteRecovery.replicationJobs.get(v.name, v.resourceGroup, jobName);
    expect(running.properties).toMatchObject({ state: "InProgress", scenarioName: "UnplannedFailover", targetObjectName: "DC01" });
    const during = await siteRecovery.replicationProtectedItems.get(...itemArgs("DC01"));
    expect(during.properties?.currentScenario?.scenarioName).toBe("UnplannedFailover");
    expect(during.properties?.currentScenario?.jobId?.toLowerCase()).toBe(running.id?.toLowerCase());
    expect(during.properties?.allowedOperations).toEqual([]);
    expect(sim.nextCompletionAt()?.getTime()).toBe(now().getTime() + 8 * MINUTE);

    advance(7 * MINUTE);
    await poller.poll();
    expect(poller.isDone()).toBe(false);
    expect(sim.existingVmNames()).not.toContain("DC01");

    advance(MINUTE);
    await poller.poll();
    expect(poller.isDone()).toBe(true);
    // Location pointed at replicationOperationResults: the final result is the protected item.
    expect(poller.getResult()?.properties?.protectionState).toBe("UnplannedFailoverCommitPendingStatesBegin");
    const done = await siteRecovery.replicationJobs.get(v.name, v.resourceGroup, jobName);
    expect(done.properties).toMatchObject({ state: "Succeeded", errors: [] });
    expect(done.properties?.endTime?.getTime()).toBe(now().getTime());
    const item = await siteRecovery.replicationProtectedItems.get(...itemArgs("DC01"));
    expect(item.properties).toMatchObject({
      protectionState: "UnplannedFailoverCommitPendingStatesBegin",
      activeLocation: "Recovery",
      currentScenario: { scenarioName: "None" },
    });
    expect(item.properties?.allowedOperations).toContain("Commit");
    expect(item.properties?.failoverRecoveryPointId).toMatch(/\/recoveryPoints\//);
    expect(sim.existingVmNames()).toContain("DC01");
    expect(sim.nextCompletionAt()).toBeUndefined();
    expect(sim.stats().failoverCalls).toEqual({ DC01: 1 });
    expect(sim.misuse).toEqual([]);
  });

  it("refuses a second failover while one runs and after it, without starting a second job", async () => {
    const { siteRecovery, sim, advance } = setup();
    const first = await siteRecovery.replicationProtectedItems.beginUnplannedFailover(...itemArgs("NAT01"), unplannedInput());
    await expect(siteRecovery.replicationProtectedItems.beginUnplannedFailover(...itemArgs("NAT01"), unplannedInput())).rejects.toMatchObject({
      statusCode: 409,
      code: "InvalidOperation",
    });
    await expect(siteRecovery.replicationProtectedItems.beginTestFailover(...itemArgs("NAT01"), testFailoverInput("NAT01"))).rejects.toMatchObject({
      statusCode: 409,
    });
    advance(8 * MINUTE);
    await first.poll();
    expect(first.isDone()).toBe(true);
    await expect(siteRecovery.replicationProtectedItems.beginUnplannedFailover(...itemArgs("NAT01"), unplannedInput())).rejects.toMatchObject({
      statusCode: 409,
    });
    expect(sim.stats().failoverCalls).toEqual({ NAT01: 1 });
    expect(sim.stats().byOperation["ReplicationProtectedItems_UnplannedFailover"]).toBe(1);
    expect(sim.stats().byOperation["ReplicationProtectedItems_UnplannedFailover:409"]).toBe(2);
    expect(sim.nextCompletionAt()).toBeUndefined();
    // Refusals are service rules a caller can meet, not misuse.
    expect(sim.misuse).toEqual([]);
  });

  it("commits a completed failover, and only then", async () => {
    const { siteRecovery, sim, advance } = setup();
    await expect(siteRecovery.replicationProtectedItems.beginFailoverCommit(...itemArgs("WEB01"))).rejects.toMatchObject({ statusCode: 409 });
    const failover = await siteRecovery.replicationProtectedItems.beginUnplannedFailover(...itemArgs("WEB01"), unplannedInput());
    advance(8 * MINUTE);
    await failover.poll();
    const commit = await siteRecovery.replicationProtectedItems.beginFailoverCommit(...itemArgs("WEB01"));
    expect(sim.protectedItem("WEB01").allowedOperations).toEqual([]);
    advance(2 * MINUTE);
    await commit.poll();
    expect(commit.isDone()).toBe(true);
    expect(sim.protectedItem("WEB01")).toMatchObject({ protectionState: "UnplannedFailoverCommitted", activeLocation: "Recovery" });
    // Recorded state D (TestV2ARCMReprotect.json): a committed InMageRcm item offers reprotect as SwitchProtection.
    expect(sim.protectedItem("WEB01").allowedOperations).toEqual(["CompleteMigration", "DisableProtection", "SwitchProtection"]);
    expect(sim.misuse).toEqual([]);
  });

  it("resumes a poller from its serialized state, as a later handler invocation would", async () => {
    const { siteRecovery, advance } = setup();
    const started = await siteRecovery.replicationProtectedItems.beginUnplannedFailover(...itemArgs("API03"), unplannedInput());
    const saved = started.toString();
    advance(8 * MINUTE);
    const resumed = await siteRecovery.replicationProtectedItems.beginUnplannedFailover(...itemArgs("API03"), unplannedInput(), { resumeFrom: saved });
    expect(resumed.isDone()).toBe(true);
    expect(resumed.getResult()?.properties?.activeLocation).toBe("Recovery");
  });

  it("fails over to a chosen recovery point and rejects one that is not the item's", async () => {
    const { siteRecovery, sim, advance } = setup();
    const points = [];
    for await (const p of siteRecovery.recoveryPoints.listByReplicationProtectedItems(...itemArgs("API02"))) points.push(p);
    const appConsistent = points.filter((p) => p.properties?.recoveryPointType === "AppConsistent").pop();
    const poller = await siteRecovery.replicationProtectedItems.beginUnplannedFailover(...itemArgs("API02"), unplannedInput(appConsistent?.id));
    advance(8 * MINUTE);
    await poller.poll();
    expect(poller.getResult()?.properties?.failoverRecoveryPointId).toBe(appConsistent?.id);
    expect(sim.misuse).toEqual([]);

    const otherItems = `${itemPath("API04")}/recoveryPoints/0f0e0d0c-0000-5000-8000-000000000000`;
    await expect(siteRecovery.replicationProtectedItems.beginUnplannedFailover(...itemArgs("API04"), unplannedInput(otherItems))).rejects.toMatchObject({
      statusCode: 400,
      code: "RecoveryPointNotFound",
    });
    expect(sim.misuse).toHaveLength(1);
    expect(sim.stats().failoverCalls).toEqual({ API02: 1 });
  });

  it("runs a test failover into the isolated network, then cleans it up", async () => {
    const { siteRecovery, sim, advance } = setup();
    const test = await siteRecovery.replicationProtectedItems.beginTestFailover(...itemArgs("API01"), testFailoverInput("API01"));
    expect(sim.protectedItem("API01").testFailoverState).toBe("InProgress");
    advance(8 * MINUTE);
    await test.poll();
    expect(test.isDone()).toBe(true);
    expect(sim.protectedItem("API01")).toEqual({
      protectionState: "Protected",
      activeLocation: "Primary",
      testFailoverState: "WaitingForCompletion",
      allowedOperations: ["TestFailoverCleanup"],
    });
    expect(sim.existingVmNames()).toContain("API01-test");
    expect(sim.existingVmNames()).not.toContain("API01");
    // Like the sample, the item keeps showing the test failover scenario until the cleanup.
    const item = await siteRecovery.replicationProtectedItems.get(...itemArgs("API01"));
    expect(item.properties?.currentScenario?.scenarioName).toBe("TestFailover");
    await expect(siteRecovery.replicationProtectedItems.beginUnplannedFailover(...itemArgs("API01"), unplannedInput())).rejects.toMatchObject({
      statusCode: 409,
    });

    const cleanup = await siteRecovery.replicationProtectedItems.beginTestFailoverCleanup(...itemArgs("API01"), {
      properties: { comments: "drill 2025-03-01" },
    });
    expect(sim.protectedItem("API01").testFailoverState).toBe("MarkedForDeletion");
    advance(3 * MINUTE);
    await cleanup.poll();
    expect(cleanup.isDone()).toBe(true);
    // Recorded state B (TestV2ARCMFailover.json): after a finished cleanup the item still says MarkedForDeletion.
    expect(sim.protectedItem("API01")).toEqual({
      protectionState: "Protected",
      activeLocation: "Primary",
      testFailoverState: "MarkedForDeletion",
      allowedOperations: ["UnplannedFailover", "TestFailover", "DisableProtection"],
    });
    expect(sim.existingVmNames()).not.toContain("API01-test");
    expect(sim.stats().failoverCalls).toEqual({ API01: 1 });
    expect(sim.misuse).toEqual([]);
  });

  it("refuses a test failover cleanup when no test failover is waiting", async () => {
    const { siteRecovery, sim } = setup();
    await expect(
      siteRecovery.replicationProtectedItems.beginTestFailoverCleanup(...itemArgs("WEB02"), { properties: { comments: "nothing to clean" } }),
    ).rejects.toMatchObject({
      statusCode: 409,
    });
    expect(sim.misuse).toEqual([]);
  });

  it("fails the first failover job of a faulted VM with an ASR error, then allows a retry", async () => {
    const { siteRecovery, sim, advance } = setup({ failFirstFailoverJobOf: ["DC02"] });
    const v = vaultOf("DC02");
    const first = await siteRecovery.replicationProtectedItems.beginUnplannedFailover(...itemArgs("DC02"), unplannedInput());
    const jobName = jobNameOf(first);
    advance(8 * MINUTE);
    await expect(first.poll()).rejects.toThrow(/70094/);
    const job = await siteRecovery.replicationJobs.get(v.name, v.resourceGroup, jobName);
    expect(job.properties?.state).toBe("Failed");
    expect(job.properties?.errors?.[0]?.providerErrorDetails?.errorCode).toBe(70094);
    expect(job.properties?.errors?.[0]?.providerErrorDetails?.errorMessage).toContain("DC02");
    expect(job.properties?.errors?.[0]?.serviceErrorDetails?.recommendedAction).toBeTruthy();
    expect(sim.protectedItem("DC02").protectionState).toBe("Protected");
    expect(sim.protectedItem("DC02").allowedOperations).toContain("UnplannedFailover");
    expect(sim.existingVmNames()).not.toContain("DC02");

    const retry = await siteRecovery.replicationProtectedItems.beginUnplannedFailover(...itemArgs("DC02"), unplannedInput());
    advance(8 * MINUTE);
    await retry.poll();
    expect(retry.isDone()).toBe(true);
    expect(sim.existingVmNames()).toContain("DC02");
    expect(sim.stats().failoverCalls).toEqual({ DC02: 2 });
    expect(sim.misuse).toEqual([]);
  });

  it("answers an action POST as recorded: 202, empty body, regional Location naming the job, and the job follows it", async () => {
    const { sim, advance } = setup();
    const post = await raw(sim, "POST", `${itemPath("REC01")}/unplannedFailover`, { body: unplannedInput() });
    expect(post.status).toBe(202);
    expect(post.body).toBeUndefined();
    const location = post.headers.get("location") ?? "";
    expect(location).toMatch(
      /^https:\/\/southeastasia\.management\.azure\.com\/Subscriptions\/.+\/replicationProtectedItems\/rec01-vsphere\/operationresults\/[0-9a-f-]{36}\?api-version=2023-06-01$/,
    );
    expect(post.headers.get("azure-asyncoperation")).toMatch(/\/vaults\/rsv-contoso-dr-seasia\/replicationOperationStatus\/[0-9a-f-]{36}\?/);
    expect(post.headers.get("retry-after")).toBe("30");
    const jobName = new URL(location).pathname.split("/").pop() ?? "";
    expect(post.headers.get("x-ms-request-id")).toMatch(new RegExp(`/replicationJobs/${jobName}$`));
    const vault = estate.vaults["seasia"]!;
    const jobPath = `/subscriptions/${estate.subscriptionId}/resourceGroups/${vault.resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${vault.name}/replicationJobs/${jobName}`;
    const running = (await raw(sim, "GET", jobPath)).body as { properties: Record<string, unknown> };
    expect(running.properties).toMatchObject({
      scenarioName: "UnplannedFailover",
      state: "InProgress",
      allowedActions: ["Cancel"],
      customDetails: { instanceType: "FailoverJobDetails" },
    });
    expect(running.properties["endTime"]).toBeUndefined();
    // No recoveryPointId: ASR's latest (lowest RPO) processes pending data first, so the job takes latestPointProcessingMs longer.
    advance(10 * MINUTE);
    const done = (await raw(sim, "GET", jobPath)).body as { properties: Record<string, unknown> };
    expect(done.properties).toMatchObject({ state: "Succeeded", stateDescription: "Completed", endTime: "2025-03-01T10:10:30.000Z", allowedActions: [] });
    expect(sim.misuse).toEqual([]);
  });
});

describe("simulated Azure: misuse is answered like ARM and recorded", () => {
  it("rejects a failover body whose provider does not match the vault, and starts nothing", async () => {
    const { siteRecovery, sim } = setup();
    const wrongProvider: UnplannedFailoverInput = {
      properties: { failoverDirection: "PrimaryToRecovery", sourceSiteOperations: "NotRequired", providerSpecificDetails: { instanceType: "A2A" } },
    };
    await expect(siteRecovery.replicationProtectedItems.beginUnplannedFailover(...itemArgs("API05"), wrongProvider)).rejects.toMatchObject({
      statusCode: 400,
      code: "InvalidProviderSpecificInput",
    });
    expect(sim.misuse).toHaveLength(1);
    expect(sim.misuse[0]).toMatch(/instanceType 'A2A' does not match the replication provider 'InMageRcm'/);
    expect(sim.protectedItem("API05").allowedOperations).toContain("UnplannedFailover");
    expect(sim.stats().failoverCalls).toEqual({});
    expect(sim.nextCompletionAt()).toBeUndefined();
  });

  it("rejects bodies missing required fields, naming them", async () => {
    const { sim } = setup();
    const missing = await raw(sim, "POST", `${itemPath("API06")}/unplannedFailover`, {
      body: { properties: { failoverDirection: "PrimaryToRecovery", providerSpecificDetails: { instanceType: "InMageRcm" } } },
    });
    expect(missing.status).toBe(400);
    expect(missing.body?.error?.message).toMatch(/sourceSiteOperations/);
    const noShutdown = await raw(sim, "POST", `${itemPath("API06")}/unplannedFailover`, {
      body: {
        properties: { failoverDirection: "PrimaryToRecovery", sourceSiteOperations: "NotRequired", providerSpecificDetails: { instanceType: "InMageRcm" } },
      },
    });
    expect(noShutdown.status).toBe(400);
    expect(noShutdown.body?.error?.message).toMatch(/performShutdown/);
    const prodId = vaultOf("API06").testNetworkId.replace("vnet-drill-eastus", "vnet-prod-eastus");
    const testInProd = await raw(sim, "POST", `${itemPath("API06")}/testFailover`, {
      body: {
        properties: {
          failoverDirection: "PrimaryToRecovery",
          networkType: "VmNetworkAsInput",
          networkId: prodId,
          providerSpecificDetails: { instanceType: "InMageRcm", networkId: prodId },
        },
      },
    });
    expect(testInProd.status).toBe(400);
    const noComments = await raw(sim, "POST", `${itemPath("API06")}/testFailoverCleanup`, { body: { properties: {} } });
    expect(noComments.status).toBe(400);
    expect(sim.misuse).toHaveLength(4);
    expect(sim.stats().failoverCalls).toEqual({});
  });

  it("rejects a missing or unknown api-version, an unknown route, a foreign subscription and a missing token", async () => {
    const { sim } = setup();
    expect((await raw(sim, "GET", itemPath("DC01"), { apiVersion: null })).body?.error?.code).toBe("MissingApiVersionParameter");
    expect((await raw(sim, "GET", itemPath("DC01"), { apiVersion: "2021-02-10" })).status).toBe(400);
    expect((await raw(sim, "GET", `${itemPath("DC01")}/replicationMigrationItems`)).status).toBe(404);
    expect((await raw(sim, "GET", itemPath("DC01").replace(estate.subscriptionId, "00000000-0000-0000-0000-000000000000"))).status).toBe(404);
    expect((await raw(sim, "GET", itemPath("DC01"), { headers: { authorization: "" } })).status).toBe(401);
    expect((await raw(sim, "GET", itemPath("DC01").replace("dc01-vsphere", "dc09-vsphere"))).status).toBe(404);
    expect(sim.misuse).toHaveLength(6);
    // 'Subscriptions' as ASR spells it in ids is the same path.
    expect((await raw(sim, "GET", itemPath("DC01").replace("/subscriptions/", "/Subscriptions/"))).status).toBe(200);
    expect(sim.misuse).toHaveLength(6);
  });
});

describe("simulated Azure: fault injection", () => {
  it("answers every nth request 429 with Retry-After before processing, and the SDK retries it", async () => {
    const { siteRecovery, sim } = setup({ throttleEveryNth: { n: 2, retryAfterSeconds: 0 } });
    for (const name of ["DC01", "DC02", "API01", "REC02"]) {
      const item = await siteRecovery.replicationProtectedItems.get(...itemArgs(name));
      expect(item.properties?.friendlyName).toBe(name);
    }
    const stats = sim.stats();
    expect(stats.byOperation["ReplicationProtectedItems_Get"]).toBe(4);
    expect(stats.byOperation["ReplicationProtectedItems_Get:429"]).toBeGreaterThanOrEqual(2);
    expect(stats.reads).toBe(4 + (stats.byOperation["ReplicationProtectedItems_Get:429"] ?? 0));
    expect(sim.misuse).toEqual([]);
  });

  it("carries Retry-After on the 429 and the SDK honours it", async () => {
    const { siteRecovery, sim } = setup({ throttleEveryNth: { n: 1, retryAfterSeconds: 1 } });
    // A request identical to the one just throttled would be let through, so probe with another item.
    const throttled = await raw(sim, "GET", itemPath("WEB01"));
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("1");
    const started = Date.now();
    const item = await siteRecovery.replicationProtectedItems.get(...itemArgs("WEB03"));
    expect(item.properties?.friendlyName).toBe("WEB03");
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("answers 503 but never to the same request twice in a row, so retries succeed", async () => {
    const { siteRecovery, privateDns, sim } = setup({ serverErrorEveryNth: 1 });
    const failover = await siteRecovery.replicationProtectedItems.beginUnplannedFailover(...itemArgs("WEB02"), unplannedInput());
    expect(failover.isDone()).toBe(false);
    const record = await privateDns.recordSets.get("rg-contoso-dr-eastus", "corp.contoso.internal", "A", "api");
    expect(record.aRecords).toHaveLength(6);
    const stats = sim.stats();
    expect(stats.byOperation["ReplicationProtectedItems_UnplannedFailover:503"]).toBe(1);
    expect(stats.byOperation["ReplicationProtectedItems_UnplannedFailover"]).toBe(1);
    expect(stats.failoverCalls).toEqual({ WEB02: 1 });
    expect(stats.writes).toBe(2);
    expect(sim.misuse).toEqual([]);
  });

  it("delays each request by latencyMs of real time", async () => {
    const { siteRecovery } = setup({ latencyMs: 20 });
    const started = Date.now();
    await siteRecovery.replicationProtectedItems.get(...itemArgs("DC01"));
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });
});
