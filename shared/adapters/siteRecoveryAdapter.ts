import type {
  FailoverReplicationProtectedItemDetails,
  InMageRcmFailbackPlannedFailoverProviderInput,
  InMageRcmFailbackReprotectInput,
  PlannedFailoverInput,
  InMageRcmReprotectInput,
  Job,
  JobErrorDetails,
  ReverseReplicationInput,
  SiteRecoveryManagementClient,
  TestFailoverCleanupInput,
  TestFailoverInput,
  TestFailoverJobDetails,
  UnplannedFailoverInput,
} from "@azure/arm-recoveryservices-siterecovery";
import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import type { Vault } from "../domain/estate.js";
import { DrError } from "../ports/errors.js";
import type { AsrJob, OnPremisesReachability, ProtectedItemRef, SiteRecoveryPort, StartedJob } from "../ports/siteRecovery.js";
import { callAzure, drErrorCodeFor } from "./azureErrors.js";

export interface SiteRecoveryClients {
  /** Reads (items, recovery points, jobs, fabrics), with the SDK's retry policies. */
  readonly client: SiteRecoveryManagementClient;
  /**
   * Sends the action POSTs: built with retries off, because a failover POST answered 5xx or timed out
   * may have been accepted, and a blind resend would ask ASR for a second operation.
   */
  readonly actions: SiteRecoveryManagementClient;
}

type ItemAction = "unplannedFailover" | "testFailover" | "failoverCommit" | "testFailoverCleanup" | "reProtect" | "plannedFailover";

/**
 * Site Recovery for VMware-to-Azure items replicated by the modernized appliance (InMageRcm).
 *
 * Operations are started with one POST and followed through their ASR job, as Azure PowerShell does
 * (it takes the job id from the 202's `Location: .../operationresults/{jobId}` and reads
 * `replicationJobs/{jobId}`; recorded in TestV2ARCM*.json, digest in test/fixtures/azure/asr-inmagercm-recorded.md).
 * The SDK's begin*() is not used: it polls `replicationOperationStatus` right after the POST, an action
 * Site Recovery Operator does not grant, so the step would fail although ASR accepted the failover.
 * The job is also what operators see in the portal, carries the errors and can be found again from
 * the item (currentScenario.jobId) after a crash.
 */
export function createSiteRecovery({ client, actions }: SiteRecoveryClients): SiteRecoveryPort {
  const items = client.replicationProtectedItems;
  const path = (ref: ProtectedItemRef) =>
    [ref.vault.name, ref.vault.resourceGroup, ref.vault.fabric, ref.vault.protectionContainer, ref.protectedItem] as const;

  async function post(what: string, ref: ProtectedItemRef, action: ItemAction, body: object | undefined): Promise<StartedJob> {
    const { vault, protectedItem } = ref;
    const url =
      `${actions.$host}/subscriptions/${encodeURIComponent(actions.subscriptionId ?? "")}/resourceGroups/${encodeURIComponent(vault.resourceGroup)}` +
      `/providers/Microsoft.RecoveryServices/vaults/${encodeURIComponent(vault.name)}/replicationFabrics/${encodeURIComponent(vault.fabric)}` +
      `/replicationProtectionContainers/${encodeURIComponent(vault.protectionContainer)}/replicationProtectedItems/${encodeURIComponent(protectedItem)}` +
      `/${action}?api-version=${actions.apiVersion}`;
    const request = createPipelineRequest({
      url,
      method: "POST",
      headers: createHttpHeaders(body ? { "content-type": "application/json", accept: "application/json" } : { accept: "application/json" }),
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const label = `${what} ${protectedItem}`;
    let response: PipelineResponse;
    try {
      response = await actions.sendRequest(request);
    } catch (error) {
      throw ambiguous(label, error instanceof Error ? error.message : String(error), error);
    }
    if (response.status === 200 || response.status === 202) return startedJob(label, ref, response);
    throw refused(label, response);
  }

  /** The job named by the 202: Location's `operationresults/{jobId}`, else Azure-AsyncOperation, else the item's current scenario. */
  async function startedJob(label: string, ref: ProtectedItemRef, response: PipelineResponse): Promise<StartedJob> {
    const fromHeaders =
      jobNameFromUrl(response.headers.get("location"), "operationresults") ??
      jobNameFromUrl(response.headers.get("azure-asyncoperation"), "replicationoperationstatus");
    if (fromHeaders) return { jobName: fromHeaders };
    const item = await callAzure(`read ${ref.protectedItem}`, () => items.get(...path(ref)));
    const fromItem = jobNameOf(item.properties?.currentScenario?.jobId);
    if (!fromItem) throw new DrError("Unknown", `${label}: ASR named no job for the operation`);
    return { jobName: fromItem };
  }

  return {
    async getProtectedItem(ref) {
      const item = await callAzure(`read protected item ${ref.protectedItem}`, () => items.get(...path(ref)));
      const p = item.properties ?? {};
      const jobName = jobNameOf(p.currentScenario?.jobId);
      const details = p.providerSpecificDetails as
        | {
            lastRecoveryPointReceived?: Date;
            internalIdentifier?: string;
            targetResourceGroupId?: string;
            multiVmGroupName?: string | null;
            initialReplicationProgressPercentage?: number | null;
            initialReplicationProgressHealth?: string;
          }
        | undefined;
      const failback = p.providerSpecificDetails?.instanceType === "InMageRcmFailback" ? details : undefined;
      return {
        provider: p.providerSpecificDetails?.instanceType ?? "Unknown",
        protectionState: p.protectionState ?? "Unknown",
        activeLocation: p.activeLocation ?? "Unknown",
        testFailoverState: p.testFailoverState ?? "None",
        allowedOperations: p.allowedOperations ?? [],
        replicationHealth: p.replicationHealth ?? "Unknown",
        ...(details?.lastRecoveryPointReceived ? { lastDataReceived: details.lastRecoveryPointReceived } : {}),
        ...(details?.internalIdentifier ? { internalId: details.internalIdentifier } : {}),
        ...(details?.multiVmGroupName ? { multiVmGroup: details.multiVmGroupName } : {}),
        ...(details?.targetResourceGroupId ? { targetResourceGroupId: details.targetResourceGroupId } : {}),
        ...(failback
          ? {
              failbackReplication: {
                progressHealth: failback.initialReplicationProgressHealth ?? "None",
                ...(typeof failback.initialReplicationProgressPercentage === "number"
                  ? { progressPercentage: failback.initialReplicationProgressPercentage }
                  : {}),
              },
            }
          : {}),
        currentScenario: { name: p.currentScenario?.scenarioName ?? "None", ...(jobName ? { jobName } : {}) },
      };
    },

    async listRecoveryPoints(ref) {
      return callAzure(`list recovery points of ${ref.protectedItem}`, async () => {
        const points = [];
        for await (const point of client.recoveryPoints.listByReplicationProtectedItems(...path(ref))) {
          const time = point.properties?.recoveryPointTime;
          const sync = (point.properties?.providerSpecificDetails as { isMultiVmSyncPoint?: string } | undefined)?.isMultiVmSyncPoint;
          if (point.id && time)
            points.push({
              id: point.id,
              time,
              type: point.properties?.recoveryPointType ?? "Unknown",
              ...(sync ? { multiVmSyncPoint: sync.toLowerCase() === "true" } : {}),
            });
        }
        return points;
      });
    },

    startUnplannedFailover: (ref, recoveryPointId) => {
      const body: UnplannedFailoverInput = {
        properties: {
          failoverDirection: "PrimaryToRecovery",
          // The primary site is down: nothing to shut down or synchronise there.
          sourceSiteOperations: "NotRequired",
          // No recoveryPointId means ASR's "Latest (lowest RPO)": the SDK documents null for the latest point.
          providerSpecificDetails: { instanceType: "InMageRcm", performShutdown: "false", ...(recoveryPointId ? { recoveryPointId } : {}) },
        },
      };
      return post("unplanned failover", ref, "unplannedFailover", body);
    },

    startTestFailover: (ref, recoveryPointId) => {
      const body: TestFailoverInput = {
        properties: {
          failoverDirection: "PrimaryToRecovery",
          networkType: "VmNetworkAsInput",
          networkId: ref.vault.testNetworkId,
          providerSpecificDetails: { instanceType: "InMageRcm", networkId: ref.vault.testNetworkId, ...(recoveryPointId ? { recoveryPointId } : {}) },
        },
      };
      return post("test failover", ref, "testFailover", body);
    },

    // Recorded: failoverCommit is sent with no body.
    startCommit: (ref) => post("commit", ref, "failoverCommit", undefined),

    startTestFailoverCleanup: (ref, comments) => {
      const body: TestFailoverCleanupInput = { properties: { comments } };
      return post("test failover cleanup", ref, "testFailoverCleanup", body);
    },

    startReprotect: (ref) => {
      const body: ReverseReplicationInput = {
        // A failed-over VMware item replicates back to its on-premises site: Recovery to Primary.
        properties: { failoverDirection: "RecoveryToPrimary", providerSpecificDetails: reprotectDetails(ref.vault) },
      };
      return post("reprotect", ref, "reProtect", body);
    },

    startPlannedFailback: (ref, recoveryPointType) => {
      // Recorded (TestV2ARCMFailback.json): only providerSpecificDetails, no failoverDirection.
      const providerSpecificDetails: InMageRcmFailbackPlannedFailoverProviderInput = { instanceType: "InMageRcmFailback", recoveryPointType };
      const body: PlannedFailoverInput = { properties: { providerSpecificDetails } };
      return post("failback (planned failover)", ref, "plannedFailover", body);
    },

    startReprotectToAzure: (ref) => {
      const body: ReverseReplicationInput = {
        // A failed-back item is protected towards Azure again: its primary is now the on-premises site.
        properties: { failoverDirection: "PrimaryToRecovery", providerSpecificDetails: failbackReprotectDetails(ref.vault) },
      };
      return post("reprotect towards Azure", ref, "reProtect", body);
    },

    async getOnPremisesReachability(vault) {
      const fabric = await callAzure(`read fabric ${vault.fabric}`, () => client.replicationFabrics.get(vault.name, vault.resourceGroup, vault.fabric));
      return onPremisesReachability(vault, fabric.properties?.customDetails);
    },

    async getJob(vault: Vault, jobName: string) {
      const job = await callAzure(`read ASR job ${jobName}`, () => client.replicationJobs.get(vault.name, vault.resourceGroup, jobName));
      return asrJobOf(job, jobName);
    },

    async listJobs(vault, startedSince) {
      // JobQueryParameter.startTime as Get-AzRecoveryServicesAsrJob -StartTime sends it ("jobs that started after"),
      // an ISO 8601 instant; no state clause, so jobs that ended since are listed with their outcome.
      const filter = `startTime eq '${startedSince.toISOString()}'`;
      return callAzure(`list ASR jobs of vault ${vault.name}`, async () => {
        const jobs: AsrJob[] = [];
        for await (const job of client.replicationJobs.list(vault.name, vault.resourceGroup, { filter })) if (job.name) jobs.push(asrJobOf(job, job.name));
        return jobs;
      });
    },
  };
}

function asrJobOf(job: Job, name: string): AsrJob {
  const p = job.properties ?? {};
  return {
    name,
    state: p.state ?? "Unknown",
    stateDescription: p.stateDescription ?? "",
    scenarioName: p.scenarioName ?? "Unknown",
    errors: (p.errors ?? []).map(describeJobError),
    testVms: p.customDetails?.instanceType === "TestFailoverJobDetails" ? testVmsOf(p.customDetails as TestFailoverJobDetails) : [],
    ...(p.startTime ? { startTime: p.startTime } : {}),
  };
}

/** A 5xx, a timeout or a broken connection after the POST left: ASR may have accepted it. Retrying means asking ASR first. */
function ambiguous(label: string, detail: string, cause?: unknown): DrError {
  return new DrError("Transient", `${label}: the answer was ambiguous (${detail}); ASR is asked what the item is doing before anything is sent again`, {
    cause,
  });
}

/** Any other answer: refused before anything started (ARM and ASR error body `{error:{code,message}}`). */
function refused(label: string, response: PipelineResponse): DrError {
  const status = response.status;
  if (status >= 500) return ambiguous(label, `HTTP ${status}`);
  let code = "";
  let message = "";
  try {
    const body = JSON.parse(response.bodyAsText ?? "") as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? "";
    message = body.error?.message ?? "";
  } catch {
    message = response.bodyAsText ?? "";
  }
  const retryAfter = Number(response.headers.get("retry-after"));
  const text = `${label}: HTTP ${status} ${code} ${message}`.trim();
  return new DrError(drErrorCodeFor(status), text, Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {});
}

/** The InMageRcm reprotect input, as Azure PowerShell's Update-AzRecoveryServicesAsrProtectionDirection builds it. */
function reprotectDetails(vault: Vault): InMageRcmReprotectInput {
  const r = vault.reprotect;
  if (!r) throw new DrError("InvalidInput", `vault ${vault.name} has no reprotect settings (estate vaults.*.reprotect)`);
  return {
    instanceType: "InMageRcm",
    reprotectAgentId: r.reprotectAgentId,
    datastoreName: r.datastoreName,
    logStorageAccountId: r.logStorageAccountId,
    ...(r.policyId ? { policyId: r.policyId } : {}),
  };
}

/** InMageRcmFailbackReprotectInput, as Update-AzRecoveryServicesAsrProtectionDirection builds it for an InMageRcmFailback item. */
function failbackReprotectDetails(vault: Vault): InMageRcmFailbackReprotectInput {
  const r = vault.failbackReprotect;
  if (!r) throw new DrError("InvalidInput", `vault ${vault.name} has no failback reprotect settings (estate vaults.*.failbackReprotect)`);
  return {
    instanceType: "InMageRcmFailback",
    processServerId: r.processServerId,
    policyId: r.policyId,
    ...(r.runAsAccountId ? { runAsAccountId: r.runAsAccountId } : {}),
  };
}

interface FabricAgent {
  readonly id?: string;
  readonly name?: string;
  readonly health?: string;
  readonly lastHeartbeatUtc?: Date;
}

/** The on-premises side answers when the appliance's reprotect agent is known to ASR and healthy. */
function onPremisesReachability(vault: Vault, details: { instanceType: string } | undefined): OnPremisesReachability {
  const agents = (details as { reprotectAgents?: FabricAgent[] } | undefined)?.reprotectAgents ?? [];
  const wanted = vault.reprotect?.reprotectAgentId;
  const agent = wanted ? agents.find((a) => a.id?.toLowerCase() === wanted.toLowerCase()) : agents[0];
  if (!agent)
    return {
      reachable: false,
      detail: `fabric ${vault.fabric}: ASR knows no reprotect agent${wanted ? ` '${wanted}'` : ""}; register the on-premises appliance first`,
    };
  const heartbeat = agent.lastHeartbeatUtc;
  const name = agent.name ?? agent.id ?? "reprotect agent";
  const health = agent.health ?? "Unknown";
  const reachable = health === "Normal" || health === "Warning";
  return { reachable, detail: `fabric ${vault.fabric}: reprotect agent ${name} is ${health}${heartbeat ? `, last heartbeat ${heartbeat.toISOString()}` : ""}` };
}

function testVmsOf(details: TestFailoverJobDetails): { internalId: string; testVmName: string }[] {
  return (details.protectedItemDetails ?? []).flatMap((d: FailoverReplicationProtectedItemDetails) =>
    d.testVmName ? [{ internalId: d.name ?? "", testVmName: d.testVmName }] : [],
  );
}

function describeJobError(error: JobErrorDetails): string {
  const detail = error.serviceErrorDetails ?? error.providerErrorDetails;
  if (!detail) return "unspecified error";
  const code = "code" in detail ? detail.code : "errorCode" in detail ? String(detail.errorCode) : undefined;
  const message = "message" in detail ? detail.message : "errorMessage" in detail ? detail.errorMessage : undefined;
  const action = "recommendedAction" in detail ? detail.recommendedAction : undefined;
  return [code, message, action ? `Recommended: ${action}` : undefined].filter(Boolean).join(" ");
}

/** The path segment after `marker` (compared without case: ASR spells its URLs 'Subscriptions', 'operationresults'). */
function jobNameFromUrl(url: string | undefined, marker: string): string | undefined {
  if (!url) return undefined;
  let segments: string[];
  try {
    segments = new URL(url).pathname.split("/").filter(Boolean);
  } catch {
    return undefined;
  }
  const at = segments.findIndex((s) => s.toLowerCase() === marker);
  return at >= 0 ? segments[at + 1] : undefined;
}

function jobNameOf(jobId: string | undefined): string | undefined {
  const name = jobId ? lastSegment(jobId) : undefined;
  return name && name !== "None" ? name : undefined;
}

function lastSegment(path: string): string | undefined {
  return path.split("/").filter(Boolean).pop();
}
