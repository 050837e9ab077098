import type { JobErrorDetails, ReverseReplicationProviderSpecificInputUnion, SiteRecoveryManagementClient } from "@azure/arm-recoveryservices-siterecovery";
import type { Vault } from "../domain/estate.js";
import { DrError } from "../ports/errors.js";
import type { AsrJobState, OnPremisesReachability, ProtectedItemRef, SiteRecoveryPort, StartedJob } from "../ports/siteRecovery.js";
import { callAzure } from "./azureErrors.js";

const JOB_STATES: readonly AsrJobState[] = ["NotStarted", "InProgress", "Succeeded", "Failed", "Cancelled", "Suspended"];

/**
 * Site Recovery for VMware-to-Azure items (InMageRcm, InMageAzureV2).
 * Operations are started with begin*() and then followed through their ASR job, never awaited to
 * completion here: the job is what ASR shows operators, carries the errors, and can be found again
 * from the protected item (currentScenario.jobId) if the process dies before recording it.
 */
export function createSiteRecovery({ client }: { client: SiteRecoveryManagementClient }): SiteRecoveryPort {
  const items = client.replicationProtectedItems;
  const path = (ref: ProtectedItemRef) => [ref.vault.name, ref.vault.resourceGroup, ref.vault.fabric, ref.vault.protectionContainer, ref.protectedItem] as const;

  /** Sends a begin*() request and returns the ASR job named by its Azure-AsyncOperation header. */
  async function startJob(what: string, ref: ProtectedItemRef, begin: (onResponse: (raw: { headers: { get(name: string): string | undefined } }) => void) => Promise<unknown>): Promise<StartedJob> {
    let asyncOperation: string | undefined;
    await callAzure(`${what} ${ref.protectedItem}`, () => begin((raw) => (asyncOperation ??= raw.headers.get("azure-asyncoperation"))));
    const jobName = asyncOperation ? lastSegment(new URL(asyncOperation).pathname) : undefined;
    if (jobName) return { jobName };
    // No header (an operation that completed synchronously): the item names the job it ran.
    const item = await callAzure(`read ${ref.protectedItem}`, () => items.get(...path(ref)));
    const fromItem = jobNameOf(item.properties?.currentScenario?.jobId);
    if (!fromItem) throw new DrError("Unknown", `${what} ${ref.protectedItem}: ASR named no job for the operation`);
    return { jobName: fromItem };
  }

  return {
    async getProtectedItem(ref) {
      const item = await callAzure(`read protected item ${ref.protectedItem}`, () => items.get(...path(ref)));
      const p = item.properties ?? {};
      const jobName = jobNameOf(p.currentScenario?.jobId);
      return {
        protectionState: p.protectionState ?? "Unknown",
        activeLocation: p.activeLocation ?? "Unknown",
        testFailoverState: p.testFailoverState ?? "None",
        allowedOperations: p.allowedOperations ?? [],
        replicationHealth: p.replicationHealth ?? "Unknown",
        currentScenario: { name: p.currentScenario?.scenarioName ?? "None", ...(jobName ? { jobName } : {}) },
      };
    },

    async listRecoveryPoints(ref) {
      return callAzure(`list recovery points of ${ref.protectedItem}`, async () => {
        const points = [];
        for await (const point of client.recoveryPoints.listByReplicationProtectedItems(...path(ref))) {
          const time = point.properties?.recoveryPointTime;
          if (point.id && time) points.push({ id: point.id, time, type: point.properties?.recoveryPointType ?? "Unknown" });
        }
        return points;
      });
    },

    startUnplannedFailover: (ref, recoveryPointId) =>
      startJob("unplanned failover", ref, (onResponse) =>
        items.beginUnplannedFailover(
          ...path(ref),
          {
            properties: {
              failoverDirection: "PrimaryToRecovery",
              // The primary site is down: nothing to shut down or synchronise there.
              sourceSiteOperations: "NotRequired",
              providerSpecificDetails: failoverDetails(ref.vault, recoveryPointId),
            },
          },
          { onResponse },
        ),
      ),

    startTestFailover: (ref, recoveryPointId) =>
      startJob("test failover", ref, (onResponse) =>
        items.beginTestFailover(
          ...path(ref),
          {
            properties: {
              failoverDirection: "PrimaryToRecovery",
              networkType: "VmNetworkAsInput",
              networkId: ref.vault.testNetworkId,
              providerSpecificDetails:
                ref.vault.provider === "InMageRcm"
                  ? { instanceType: "InMageRcm", networkId: ref.vault.testNetworkId, ...(recoveryPointId ? { recoveryPointId } : {}) }
                  : { instanceType: "InMageAzureV2", ...(recoveryPointId ? { recoveryPointId } : {}) },
            },
          },
          { onResponse },
        ),
      ),

    startCommit: (ref) => startJob("commit", ref, (onResponse) => items.beginFailoverCommit(...path(ref), { onResponse })),

    startTestFailoverCleanup: (ref, comments) =>
      startJob("test failover cleanup", ref, (onResponse) => items.beginTestFailoverCleanup(...path(ref), { properties: { comments } }, { onResponse })),

    startReprotect: (ref) =>
      startJob("reprotect", ref, (onResponse) =>
        items.beginReprotect(
          ...path(ref),
          // A failed-over VMware item replicates back to its on-premises site: Recovery to Primary.
          { properties: { failoverDirection: "RecoveryToPrimary", providerSpecificDetails: reprotectDetails(ref.vault) } },
          { onResponse },
        ),
      ),

    async getOnPremisesReachability(vault) {
      const fabric = await callAzure(`read fabric ${vault.fabric}`, () => client.replicationFabrics.get(vault.name, vault.resourceGroup, vault.fabric));
      return onPremisesReachability(vault, fabric.properties?.customDetails);
    },

    async getJob(vault: Vault, jobName: string) {
      const job = await callAzure(`read ASR job ${jobName}`, () => client.replicationJobs.get(vault.name, vault.resourceGroup, jobName));
      const p = job.properties ?? {};
      const state = JOB_STATES.find((s) => s === p.state) ?? "Other";
      return { name: jobName, state, scenarioName: p.scenarioName ?? "Unknown", errors: (p.errors ?? []).map(describeJobError) };
    },
  };
}

function failoverDetails(vault: Vault, recoveryPointId: string | undefined) {
  const point = recoveryPointId ? { recoveryPointId } : {};
  return vault.provider === "InMageRcm"
    ? { instanceType: "InMageRcm" as const, performShutdown: "false", ...point }
    : { instanceType: "InMageAzureV2" as const, ...point };
}

/**
 * Reprotect input per provider, as Azure PowerShell builds it (Update-AzRecoveryServicesAsrProtectionDirection):
 * InMageRcm items (modernized) name the appliance's reprotect agent, the datastore and the log storage
 * account; InMageAzureV2 items (classic) take the InMage input with process server, master target,
 * retention drive and policy (its "profile").
 */
function reprotectDetails(vault: Vault): ReverseReplicationProviderSpecificInputUnion {
  const r = vault.reprotect;
  if (!r) throw new DrError("InvalidInput", `vault ${vault.name} has no reprotect settings (estate vaults.*.reprotect)`);
  const policy = r.policyId ? { policyId: r.policyId } : {};
  if (vault.provider === "InMageRcm") {
    return { instanceType: "InMageRcm", reprotectAgentId: r.reprotectAgentId ?? "", datastoreName: r.datastoreName, logStorageAccountId: r.logStorageAccountId ?? "", ...policy };
  }
  return {
    instanceType: "InMage",
    processServerId: r.processServerId ?? "",
    masterTargetId: r.masterTargetId ?? r.processServerId ?? "",
    retentionDrive: r.retentionDrive ?? "",
    datastoreName: r.datastoreName,
    profileId: r.policyId ?? "",
    ...(r.runAsAccountId ? { runAsAccountId: r.runAsAccountId } : {}),
  };
}

interface FabricAgent {
  readonly id?: string;
  readonly name?: string;
  readonly friendlyName?: string;
  readonly health?: string;
  readonly lastHeartbeatUtc?: Date;
  readonly lastHeartbeat?: Date;
}

/** The on-premises side answers when the agent reprotect depends on is known to ASR and healthy. */
function onPremisesReachability(vault: Vault, details: { instanceType: string } | undefined): OnPremisesReachability {
  const rcm = vault.provider === "InMageRcm";
  const agents = ((details as { reprotectAgents?: FabricAgent[]; processServers?: FabricAgent[] } | undefined)?.[rcm ? "reprotectAgents" : "processServers"] ?? []);
  const wanted = rcm ? vault.reprotect?.reprotectAgentId : vault.reprotect?.processServerId;
  const what = rcm ? "reprotect agent" : "process server";
  const agent = wanted ? agents.find((a) => a.id?.toLowerCase() === wanted.toLowerCase()) : agents[0];
  if (!agent) return { reachable: false, detail: `fabric ${vault.fabric}: ASR knows no ${what}${wanted ? ` '${wanted}'` : ""}; register the on-premises appliance first` };
  const heartbeat = agent.lastHeartbeatUtc ?? agent.lastHeartbeat;
  const name = agent.name ?? agent.friendlyName ?? agent.id ?? what;
  const health = agent.health ?? "Unknown";
  const reachable = health === "Normal" || health === "Warning";
  return { reachable, detail: `fabric ${vault.fabric}: ${what} ${name} is ${health}${heartbeat ? `, last heartbeat ${heartbeat.toISOString()}` : ""}` };
}

function describeJobError(error: JobErrorDetails): string {
  const detail = error.serviceErrorDetails ?? error.providerErrorDetails;
  if (!detail) return "unspecified error";
  const code = "code" in detail ? detail.code : "errorCode" in detail ? String(detail.errorCode) : undefined;
  const message = "message" in detail ? detail.message : "errorMessage" in detail ? detail.errorMessage : undefined;
  const action = "recommendedAction" in detail ? detail.recommendedAction : undefined;
  return [code, message, action ? `Recommended: ${action}` : undefined].filter(Boolean).join(" ");
}

function jobNameOf(jobId: string | undefined): string | undefined {
  const name = jobId ? lastSegment(jobId) : undefined;
  return name && name !== "None" ? name : undefined;
}

function lastSegment(path: string): string | undefined {
  return path.split("/").filter(Boolean).pop();
}
