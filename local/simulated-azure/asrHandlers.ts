import { foreignItemsJson } from "./discoveryHandlers.js";
import type { Vault } from "../../shared/domain/estate.js";
import { API_VERSIONS } from "./apiVersions.js";
import { latestPointId, REQUIRED_OPERATION, startJob } from "./asrJobs.js";
import {
  FailbackPlannedFailoverProviderInput,
  PlannedFailoverBody,
  TestFailoverBody,
  TestFailoverCleanupBody,
  TestFailoverProviderInput,
  UnplannedFailoverBody,
  UnplannedFailoverProviderInput,
} from "./asrInputs.js";
import { asyncStatusJson, jobJson, protectedItemJson, recoveryPointJson } from "./asrPayloads.js";
import { armError, reply, type Exchange, type SimReply } from "./http.js";
import { ARM_HOST, vaultId } from "./ids.js";
import { lastDataReceivedOf, recoveryPointsOf } from "./recoveryPoints.js";
import type { RouteSpec } from "./router.js";
import type { Stats } from "./stats.js";
import { parseBody } from "./validate.js";
import { itemKey, type AsrJob, type ProtectedItem, type Scenario, type World } from "./world.js";

export const VAULT = "subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.RecoveryServices/vaults/{resourceName}";
export const CONTAINER = `${VAULT}/replicationFabrics/{fabricName}/replicationProtectionContainers/{protectionContainerName}`;
export const ITEM = `${CONTAINER}/replicationProtectedItems/{replicatedProtectedItemName}`;
/** ASR tells callers to wait this long between polls (asr-protecteditem-unplannedfailover.json). */
const ASR_RETRY_AFTER_SECONDS = "30";

export type Lookup<T> = { readonly found: T } | { readonly reply: SimReply };

export function asrRoutes(world: World, stats: Stats): RouteSpec[] {
  const versions = API_VERSIONS.siteRecovery;
  const get = (pattern: string, operation: string, handle: RouteSpec["handle"]): RouteSpec => ({
    method: "GET",
    pattern,
    operation,
    apiVersions: versions,
    handle,
  });
  const post = (pattern: string, operation: string, handle: RouteSpec["handle"]): RouteSpec => ({
    method: "POST",
    pattern,
    operation,
    apiVersions: versions,
    handle,
  });
  return [
    get(ITEM, "ReplicationProtectedItems_Get", (ex) => withItem(world, ex, (item) => reply(200, protectedItemJson(item, world.estate, ex.req.now)))),
    get(`${CONTAINER}/replicationProtectedItems`, "ReplicationProtectedItems_ListByReplicationProtectionContainers", (ex) => {
      const container = findContainer(world, ex);
      if ("reply" in container) return container.reply;
      const items = [...world.items.values()].filter((i) => i.vault === container.found);
      return reply(200, { value: items.map((i) => protectedItemJson(i, world.estate, ex.req.now)) });
    }),
    get(`${VAULT}/replicationProtectedItems`, "ReplicationProtectedItems_List", (ex) => {
      const vault = findVault(world, ex);
      if ("reply" in vault) return vault.reply;
      const items = [...world.items.values()].filter((i) => i.vault === vault.found);
      return reply(200, { value: [...items.map((i) => protectedItemJson(i, world.estate, ex.req.now)), ...foreignItemsJson(world, vault.found)] });
    }),
    get(`${ITEM}/recoveryPoints`, "RecoveryPoints_ListByReplicationProtectedItems", (ex) =>
      withItem(world, ex, (item) => reply(200, { value: recoveryPointsOf(item, world.estate, ex.req.now).map((p) => recoveryPointJson(p, item)) })),
    ),
    get(`${ITEM}/recoveryPoints/{recoveryPointName}`, "RecoveryPoints_Get", (ex) =>
      withItem(world, ex, (item) => {
        const name = ex.req.params["recoveryPointName"]?.toLowerCase();
        const point = recoveryPointsOf(item, world.estate, ex.req.now).find((p) => p.name === name);
        return point
          ? reply(200, recoveryPointJson(point, item))
          : armError(404, "RecoveryPointNotFound", `Recovery point '${name}' does not exist (any more) for the protected item '${item.vm.protectedItem}'.`);
      }),
    ),
    post(`${ITEM}/unplannedFailover`, "ReplicationProtectedItems_UnplannedFailover", (ex) =>
      withItem(world, ex, (item) => unplannedFailover(world, stats, ex, item)),
    ),
    post(`${ITEM}/plannedFailover`, "ReplicationProtectedItems_PlannedFailover", (ex) => withItem(world, ex, (item) => plannedFailover(world, ex, item))),
    post(`${ITEM}/testFailover`, "ReplicationProtectedItems_TestFailover", (ex) => withItem(world, ex, (item) => testFailover(world, stats, ex, item))),
    post(`${ITEM}/failoverCommit`, "ReplicationProtectedItems_FailoverCommit", (ex) =>
      withItem(world, ex, (item) => {
        // The SDK sends no body; anything but nothing or {} means the caller used the wrong model.
        const body = ex.req.body;
        if (body !== undefined && !(isRecord(body) && Object.keys(body).length === 0)) {
          return ex.reject(400, "InvalidRequestContent", "failoverCommit takes no request body.");
        }
        return begin(world, ex, item, "CommitFailover");
      }),
    ),
    post(`${ITEM}/testFailoverCleanup`, "ReplicationProtectedItems_TestFailoverCleanup", (ex) =>
      withItem(world, ex, (item) => {
        const parsed = parseBody(TestFailoverCleanupBody, ex.req.body);
        if (!parsed.ok) return ex.reject(400, "InvalidRequestContent", `Invalid test failover cleanup input: ${parsed.problems}`);
        return begin(world, ex, item, "TestFailoverCleanup");
      }),
    ),
    get(`${VAULT}/replicationJobs`, "ReplicationJobs_List", (ex) => listJobs(world, ex)),
    get(`${VAULT}/replicationJobs/{jobName}`, "ReplicationJobs_Get", (ex) => withJob(world, ex, (job) => reply(200, jobJson(job, ex.req.now)))),
    get(`${VAULT}/replicationOperationStatus/{jobName}`, "ReplicationOperationStatus_Get", (ex) =>
      withJob(world, ex, (job) =>
        reply(200, asyncStatusJson(job, statusPath(world, job)), job.state === "InProgress" ? { "Retry-After": ASR_RETRY_AFTER_SECONDS } : undefined),
      ),
    ),
    // The 202's Location. No recording reads it (PowerShell only takes the job id from it), so its
    // answers follow ARM's generic Location semantics: 202 while the operation runs, 200 once done.
    get(`${ITEM}/operationresults/{jobName}`, "ReplicationProtectedItems_OperationResults", (ex) =>
      withJob(world, ex, (job) =>
        job.state === "InProgress"
          ? reply(202, undefined, {
              Location: `${regionalHost(job)}${resultsPath(world, job)}?api-version=${job.apiVersion}`,
              "Retry-After": ASR_RETRY_AFTER_SECONDS,
            })
          : reply(200, protectedItemJson(job.item, world.estate, ex.req.now)),
      ),
    ),
  ];
}

/**
 * ReplicationJobs_List (spec example ReplicationJobs_List.json: `{ value: [job...] }`, the jobs as
 * ReplicationJobs_Get shapes them). `$filter` takes the fields of the spec's JobQueryParameter; this
 * simulator implements the one clause the product sends, `startTime eq '<ISO 8601>'`, with the meaning
 * Get-AzRecoveryServicesAsrJob documents for -StartTime ("gets all jobs that started after the specified
 * time"; PowerShell builds that filter from a JobQueryParameter). No recording lists jobs, so the exact
 * boundary (after or at) and ASR's page size are not known: jobs started at or after the time are listed
 * in one page, newest first as the portal shows them. Any other clause is refused as misuse.
 */
function listJobs(world: World, ex: Exchange): SimReply {
  const vault = findVault(world, ex);
  if ("reply" in vault) return vault.reply;
  const filter = ex.req.url.searchParams.get("$filter");
  let since: number | undefined;
  if (filter !== null) {
    const match = /^\s*startTime\s+eq\s+'([^']+)'\s*$/i.exec(filter);
    const parsed = match?.[1] !== undefined ? Date.parse(match[1]) : Number.NaN;
    if (Number.isNaN(parsed))
      return ex.reject(400, "InvalidFilter", `The simulated ReplicationJobs_List understands only $filter=startTime eq '<ISO 8601>', not '${filter}'.`);
    since = parsed;
  }
  const jobs = [...world.jobs.values()]
    .filter((job) => job.item.vault === vault.found && (since === undefined || job.startTime.getTime() >= since))
    .sort((a, b) => b.startTime.getTime() - a.startTime.getTime() || b.seq - a.seq);
  return reply(200, { value: jobs.map((job) => jobJson(job, ex.req.now)) });
}

function unplannedFailover(world: World, stats: Stats, ex: Exchange, item: ProtectedItem): SimReply {
  const parsed = parseBody(UnplannedFailoverBody, ex.req.body);
  if (!parsed.ok) return ex.reject(400, "InvalidRequestContent", `Invalid unplanned failover input: ${parsed.problems}`);
  const provider = checkProvider(ex, item.vault, parsed.value.properties.providerSpecificDetails.instanceType);
  if (provider) return provider;
  const details = parseBody(UnplannedFailoverProviderInput[item.vault.provider], parsed.value.properties.providerSpecificDetails);
  if (!details.ok) return ex.reject(400, "InvalidRequestContent", `Invalid ${item.vault.provider} unplanned failover input: ${details.problems}`);
  const point = pickRecoveryPoint(world, ex, item, details.value.recoveryPointId);
  if ("reply" in point) return point.reply;
  const started = begin(world, ex, item, "UnplannedFailover", point.found);
  if (started.status === 202) stats.countFailover(item.vm.name);
  return ambiguousAnswer(world, item, started);
}

/**
 * FaultPlan.ambiguousFailoverOf: the first failover POST of the VM is carried out, then answered 500
 * with ARM's generic error, as a gateway that fails after the service accepted the request would.
 */
function ambiguousAnswer(world: World, item: ProtectedItem, started: SimReply): SimReply {
  if (started.status !== 202 || !(world.faults.ambiguousFailoverOf ?? []).includes(item.vm.name) || item.ambiguousAnswered) return started;
  item.ambiguousAnswered = true;
  return armError(
    500,
    "InternalServerError",
    "Encountered internal server error. Diagnostic information: timestamp '', subscription id '', tracking id '', request correlation id ''.",
  );
}

/**
 * The failback of a reprotected item (InMageRcmFailback). Its body is checked first (400 naming the
 * field), then its provider against the item's, then whether ASR offers PlannedFailover now (409, as begin()).
 */
function plannedFailover(world: World, ex: Exchange, item: ProtectedItem): SimReply {
  const parsed = parseBody(PlannedFailoverBody, ex.req.body);
  if (!parsed.ok) return ex.reject(400, "InvalidRequestContent", `Invalid planned failover input: ${parsed.problems}`);
  const instanceType = parsed.value.properties.providerSpecificDetails.instanceType;
  // Not recorded: a VMware item not reprotected has no planned failover (V2A, world.ts); ASR refuses the operation itself.
  if (!item.reprotected && instanceType === item.vault.provider) return begin(world, ex, item, "PlannedFailover");
  const expected = item.reprotected ? "InMageRcmFailback" : item.vault.provider;
  if (instanceType !== expected) {
    return ex.reject(
      400,
      "InvalidProviderSpecificInput",
      `providerSpecificDetails.instanceType '${instanceType}' does not match the replication provider '${expected}' of the protected item '${item.vm.protectedItem}'.`,
    );
  }
  const details = parseBody(FailbackPlannedFailoverProviderInput, parsed.value.properties.providerSpecificDetails);
  if (!details.ok) return ex.reject(400, "InvalidRequestContent", `Invalid InMageRcmFailback planned failover input: ${details.problems}`);
  // Accepted POSTs show in stats.byOperation (ReplicationProtectedItems_PlannedFailover), one per job started.
  return begin(world, ex, item, "PlannedFailover");
}

function testFailover(world: World, stats: Stats, ex: Exchange, item: ProtectedItem): SimReply {
  const parsed = parseBody(TestFailoverBody, ex.req.body);
  if (!parsed.ok) return ex.reject(400, "InvalidRequestContent", `Invalid test failover input: ${parsed.problems}`);
  const { networkId, providerSpecificDetails } = parsed.value.properties;
  const provider = checkProvider(ex, item.vault, providerSpecificDetails.instanceType);
  if (provider) return provider;
  const details = parseBody(TestFailoverProviderInput[item.vault.provider], providerSpecificDetails);
  if (!details.ok) return ex.reject(400, "InvalidRequestContent", `Invalid ${item.vault.provider} test failover input: ${details.problems}`);
  // The only VNet this simulated subscription holds in the vault's region is its isolated test network.
  if (networkId.toLowerCase() !== item.vault.testNetworkId.toLowerCase()) {
    return ex.reject(
      400,
      "InvalidNetworkId",
      `The test failover network '${networkId}' does not exist in '${item.vault.region}' or is not the vault's isolated test network '${item.vault.testNetworkId}'.`,
    );
  }
  if (details.value.networkId !== undefined && details.value.networkId.toLowerCase() !== networkId.toLowerCase()) {
    return ex.reject(
      400,
      "InvalidNetworkId",
      `providerSpecificDetails.networkId '${details.value.networkId}' differs from properties.networkId '${networkId}'.`,
    );
  }
  const point = pickRecoveryPoint(world, ex, item, details.value.recoveryPointId);
  if ("reply" in point) return point.reply;
  const started = begin(world, ex, item, "TestFailover", point.found);
  if (started.status === 202) stats.countFailover(item.vm.name);
  return ambiguousAnswer(world, item, started);
}

/** Starts the job if ASR allows the operation now; otherwise refuses without starting anything. */
export function begin(world: World, ex: Exchange, item: ProtectedItem, scenario: Scenario, recoveryPointId?: string): SimReply {
  const operation = REQUIRED_OPERATION[scenario];
  if (!item.allowedOperations.includes(operation)) {
    return armError(
      409,
      "InvalidOperation",
      `The operation '${operation}' is not allowed on the replication protected item '${item.vm.protectedItem}' (${item.vm.name}) in its current state: protection state '${item.protectionState}', test failover state '${item.testFailoverState}', current scenario '${item.currentScenario.scenarioName}'.`,
      {
        possibleCauses: `Allowed operations now: ${item.allowedOperations.length > 0 ? item.allowedOperations.join(", ") : "none (a job is running)"}.`,
        recommendedAction: "Wait for the running job to finish, or check the item's allowedOperations before retrying.",
      },
    );
  }
  const apiVersion = ex.req.url.searchParams.get("api-version") ?? API_VERSIONS.siteRecovery[0];
  const job = startJob(world, item, scenario, ex.req.now, apiVersion, recoveryPointId);
  // Recorded for every InMageRcm action (asr-inmagercm-recorded.md): 202, empty body, a regional host,
  // 'Subscriptions' capitalised, the job id after operationresults/ and in x-ms-request-id.
  return reply(202, undefined, {
    "Azure-AsyncOperation": `${regionalHost(job)}${statusPath(world, job)}?api-version=${apiVersion}`,
    Location: `${regionalHost(job)}${resultsPath(world, job)}?api-version=${apiVersion}`,
    "Retry-After": ASR_RETRY_AFTER_SECONDS,
    "x-ms-request-id": job.id,
  });
}

/** The recorded headers name the regional front door (https://<region>.management.azure.com); the vault's region stands for it here. */
function regionalHost(job: AsrJob): string {
  return `https://${job.item.vault.region}.${new URL(ARM_HOST).hostname}`;
}

function checkProvider(ex: Exchange, vault: Vault, instanceType: string): SimReply | undefined {
  if (instanceType === vault.provider) return undefined;
  return ex.reject(
    400,
    "InvalidProviderSpecificInput",
    `providerSpecificDetails.instanceType '${instanceType}' does not match the replication provider '${vault.provider}' of vault '${vault.name}'.`,
  );
}

/**
 * An explicit point must be one of the item's current points. Without one ASR fails over to its
 * "Latest (lowest RPO)": it processes all data received into a new point (site-recovery-failover docs;
 * recorded: the unplanned failover without recoveryPointId used a point none of the earlier reads named).
 */
function pickRecoveryPoint(world: World, ex: Exchange, item: ProtectedItem, requested: string | undefined): Lookup<string | undefined> {
  if (requested === undefined) return { found: latestPointId(item, lastDataReceivedOf(item, ex.req.now)) };
  const point = recoveryPointsOf(item, world.estate, ex.req.now).find((p) => p.id.toLowerCase() === requested.toLowerCase());
  if (!point) {
    return {
      reply: ex.reject(
        400,
        "RecoveryPointNotFound",
        `recoveryPointId '${requested}' is not one of the recovery points of the protected item '${item.vm.protectedItem}'.`,
      ),
    };
  }
  return { found: point.id };
}

function statusPath(world: World, job: AsrJob): string {
  return `${vaultId(world.estate.subscriptionId, job.item.vault.resourceGroup, job.item.vault.name)}/replicationOperationStatus/${job.name}`;
}

function resultsPath(_world: World, job: AsrJob): string {
  return `${job.item.id}/operationresults/${job.name}`;
}

export function findVault(world: World, ex: Exchange): Lookup<Vault> {
  const rg = ex.req.params["resourceGroupName"] ?? "";
  const name = ex.req.params["resourceName"] ?? "";
  const vault = Object.values(world.estate.vaults).find(
    (v) => v.resourceGroup.toLowerCase() === rg.toLowerCase() && v.name.toLowerCase() === name.toLowerCase(),
  );
  if (vault) return { found: vault };
  return { reply: ex.reject(404, "ResourceNotFound", `The Resource 'Microsoft.RecoveryServices/vaults/${name}' under resource group '${rg}' was not found.`) };
}

function findContainer(world: World, ex: Exchange): Lookup<Vault> {
  const vault = findVault(world, ex);
  if ("reply" in vault) return vault;
  const fabric = ex.req.params["fabricName"] ?? "";
  const container = ex.req.params["protectionContainerName"] ?? "";
  if (fabric.toLowerCase() !== vault.found.fabric.toLowerCase()) {
    return { reply: ex.reject(404, "FabricNotFound", `The replication fabric '${fabric}' does not exist in vault '${vault.found.name}'.`) };
  }
  if (container.toLowerCase() !== vault.found.protectionContainer.toLowerCase()) {
    return { reply: ex.reject(404, "ProtectionContainerNotFound", `The protection container '${container}' does not exist in fabric '${fabric}'.`) };
  }
  return vault;
}

export function withItem(world: World, ex: Exchange, then: (item: ProtectedItem) => SimReply): SimReply {
  const container = findContainer(world, ex);
  if ("reply" in container) return container.reply;
  const v = container.found;
  const name = ex.req.params["replicatedProtectedItemName"] ?? "";
  const item = world.items.get(itemKey(v.resourceGroup, v.name, v.fabric, v.protectionContainer, name));
  if (!item)
    return ex.reject(
      404,
      "ProtectedItemNotFound",
      `The replication protected item '${name}' does not exist in protection container '${v.protectionContainer}'.`,
    );
  return then(item);
}

function withJob(world: World, ex: Exchange, then: (job: AsrJob) => SimReply): SimReply {
  const vault = findVault(world, ex);
  if ("reply" in vault) return vault.reply;
  const name = ex.req.params["jobName"] ?? "";
  const job = world.jobs.get(name.toLowerCase());
  if (!job || job.item.vault !== vault.found)
    return ex.reject(404, "JobNotFound", `The replication job '${name}' does not exist in vault '${vault.found.name}'.`);
  return then(job);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
