import type {
  HealthError,
  InMageRcmFailbackReplicationDetails,
  InMageRcmPolicyDetails,
  InMageRcmReplicationDetails,
  Policy,
  RecoveryPlan,
  ReplicationProtectedItem,
  SiteRecoveryManagementClient,
} from "@azure/arm-recoveryservices-siterecovery";
import type { AsrHealthError, PolicySnapshot, ProtectedItemSnapshot, RecoveryPlanSnapshot } from "../domain/health/healthSnapshot.js";
import { DrError } from "../ports/errors.js";
import type { AsrInventoryPort } from "../ports/healthReads.js";
import { callAzure } from "./azureErrors.js";

/**
 * ASR reads for the health check: one paged list per vault for items, recovery plans and policies,
 * and one recovery point list per item. VMware-to-Azure provider details (InMageRcm, and InMageRcmFailback once reprotected towards vSphere)
 * are flattened into the snapshot the health rules read.
 */
export function createAsrInventory({ client }: { client: SiteRecoveryManagementClient }): AsrInventoryPort {
  return {
    listProtectedItems: (vault, options = {}) =>
      callAzure(`list protected items of ${vault.name}`, async () => {
        const found: ProtectedItemSnapshot[] = [];
        for await (const item of client.replicationProtectedItems.list(vault.name, vault.resourceGroup, abortable(options.signal))) found.push(toItem(item));
        return found;
      }),

    listRecoveryPlans: (vault, options = {}) =>
      callAzure(`list recovery plans of ${vault.name}`, async () => {
        const found: RecoveryPlanSnapshot[] = [];
        for await (const plan of client.replicationRecoveryPlans.list(vault.name, vault.resourceGroup, abortable(options.signal))) found.push(toPlan(plan));
        return found;
      }),

    listPolicies: (vault, options = {}) =>
      callAzure(`list replication policies of ${vault.name}`, async () => {
        const found: PolicySnapshot[] = [];
        for await (const policy of client.replicationPolicies.list(vault.name, vault.resourceGroup, abortable(options.signal))) {
          const p = toPolicy(policy);
          if (p) found.push(p);
        }
        return found;
      }),

    summariseRecoveryPoints: (itemId, options = {}) => {
      const path = parseItemId(itemId);
      return callAzure(`list recovery points of ${path.item}`, async () => {
        let count = 0;
        let oldest: Date | undefined;
        let newestCrashConsistent: Date | undefined;
        let newestAppConsistent: Date | undefined;
        const pages = client.recoveryPoints.listByReplicationProtectedItems(
          path.vault,
          path.resourceGroup,
          path.fabric,
          path.container,
          path.item,
          abortable(options.signal),
        );
        for await (const point of pages) {
          const time = point.properties?.recoveryPointTime;
          if (!time) continue;
          count += 1;
          if (!oldest || time < oldest) oldest = time;
          // ASR spells the type 'AppConsistent' / 'CrashConsistent' (InMage) or 'ApplicationConsistent' (some providers).
          const type = (point.properties?.recoveryPointType ?? "").toLowerCase();
          if (type.startsWith("app")) {
            if (!newestAppConsistent || time > newestAppConsistent) newestAppConsistent = time;
          } else if (!newestCrashConsistent || time > newestCrashConsistent) {
            newestCrashConsistent = time;
          }
        }
        return {
          count,
          ...(oldest ? { oldest } : {}),
          ...(newestCrashConsistent ? { newestCrashConsistent } : {}),
          ...(newestAppConsistent ? { newestAppConsistent } : {}),
        };
      });
    },
  };
}

function toItem(item: ReplicationProtectedItem): ProtectedItemSnapshot {
  const p = item.properties ?? {};
  const details = p.providerSpecificDetails;
  const base = {
    name: item.name ?? "",
    id: item.id ?? "",
    friendlyName: p.friendlyName ?? "",
    protectionState: p.protectionState ?? "",
    replicationHealth: p.replicationHealth ?? "",
    activeLocation: p.activeLocation ?? "",
    ...(p.currentScenario?.scenarioName ? { currentScenario: p.currentScenario.scenarioName } : {}),
    allowedOperations: p.allowedOperations ?? [],
    ...(p.testFailoverState ? { testFailoverState: p.testFailoverState } : {}),
    healthErrors: (p.healthErrors ?? []).flatMap(flattenHealthError),
    ...(p.lastSuccessfulTestFailoverTime ? { lastSuccessfulTestFailoverTime: p.lastSuccessfulTestFailoverTime } : {}),
    ...(p.policyId ? { policyId: p.policyId } : {}),
    provider: details?.instanceType ?? "",
  };
  // The SDK's union includes the base type, so the instanceType check does not narrow it by itself.
  if (details?.instanceType === "InMageRcm") return { ...base, ...fromRcm(details as InMageRcmReplicationDetails) };
  if (details?.instanceType === "InMageRcmFailback") return { ...base, ...fromRcmFailback(details as InMageRcmFailbackReplicationDetails) };
  return { ...base, agent: {}, target: {} };
}

type ProviderPart = Pick<ProtectedItemSnapshot, "agent" | "target" | "lastRecoveryPointReceived" | "lastRpoInSeconds" | "lastRpoCalculatedTime">;

function fromRcm(d: InMageRcmReplicationDetails): ProviderPart {
  const agent = d.mobilityAgentDetails ?? {};
  const nic = (d.vmNics ?? []).find((n) => n.isPrimaryNic === "true") ?? d.vmNics?.[0];
  return {
    ...(d.lastRecoveryPointReceived ? { lastRecoveryPointReceived: d.lastRecoveryPointReceived } : {}),
    ...(d.lastRpoInSeconds !== undefined ? { lastRpoInSeconds: d.lastRpoInSeconds } : {}),
    ...(d.lastRpoCalculatedTime ? { lastRpoCalculatedTime: d.lastRpoCalculatedTime } : {}),
    agent: defined({
      version: agent.version,
      latestVersion: agent.latestVersion,
      lastHeartbeat: agent.lastHeartbeatUtc,
      expiresOn: agent.agentVersionExpiryDate,
    }),
    target: defined({
      vmName: d.targetVmName,
      vmSize: d.targetVmSize,
      networkId: d.targetNetworkId,
      resourceGroupId: d.targetResourceGroupId,
      primaryNic: nic
        ? defined({ targetSubnetName: nic.targetSubnetName, targetIpAddress: nic.targetIPAddress, sourceIpAddress: nic.sourceIPAddress || undefined })
        : undefined,
    }),
  };
}

/**
 * A VM reprotected towards vSphere (recorded InMageRcmFailback details, TestV2ARCMFailback.json): it
 * reports its agent but no lastRecoveryPointReceived / lastRpoInSeconds, and targets the vSphere VM.
 */
function fromRcmFailback(d: InMageRcmFailbackReplicationDetails): ProviderPart {
  const agent = d.mobilityAgentDetails ?? {};
  return {
    agent: defined({ version: agent.version, latestVersion: agent.latestVersion, lastHeartbeat: agent.lastHeartbeatUtc }),
    target: defined({ vmName: d.targetVmName }),
  };
}

/** A health error and its inner errors, each on its own (the inner ones carry the specific codes). */
function flattenHealthError(e: HealthError): AsrHealthError[] {
  const own: AsrHealthError = defined({
    code: e.errorCode,
    level: e.errorLevel,
    message: e.errorMessage ?? e.summaryMessage ?? "(no message)",
    possibleCauses: e.possibleCauses,
    recommendedAction: e.recommendedAction,
  }) as AsrHealthError;
  const inner = (e.innerHealthErrors ?? []).map(
    (i) =>
      defined({
        code: i.errorCode,
        level: i.errorLevel,
        message: i.errorMessage ?? i.summaryMessage ?? "(no message)",
        possibleCauses: i.possibleCauses,
        recommendedAction: i.recommendedAction,
      }) as AsrHealthError,
  );
  return [own, ...inner];
}

function toPlan(plan: RecoveryPlan): RecoveryPlanSnapshot {
  const groups = plan.properties?.groups ?? [];
  return {
    name: plan.name ?? plan.properties?.friendlyName ?? "",
    bootGroups: groups.filter((g) => g.groupType === "Boot").map((g) => (g.replicationProtectedItems ?? []).flatMap((i) => (i.id ? [i.id.toLowerCase()] : []))),
  };
}

function toPolicy(policy: Policy): PolicySnapshot | undefined {
  const details = policy.properties?.providerSpecificDetails;
  if (!policy.id) return undefined;
  const base = { id: policy.id, name: policy.name ?? policy.properties?.friendlyName ?? "" };
  if (details?.instanceType === "InMageRcm") {
    const d = details as InMageRcmPolicyDetails;
    return {
      ...base,
      ...defined({
        retentionMinutes: d.recoveryPointHistoryInMinutes,
        appConsistentFrequencyMinutes: d.appConsistentFrequencyInMinutes,
        crashConsistentFrequencyMinutes: d.crashConsistentFrequencyInMinutes,
      }),
    };
  }
  return base;
}

function parseItemId(id: string): { resourceGroup: string; vault: string; fabric: string; container: string; item: string } {
  const m =
    /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.RecoveryServices\/vaults\/([^/]+)\/replicationFabrics\/([^/]+)\/replicationProtectionContainers\/([^/]+)\/replicationProtectedItems\/([^/]+)$/i.exec(
      id,
    );
  if (!m?.[1] || !m[2] || !m[3] || !m[4] || !m[5]) throw new DrError("InvalidInput", `not a replication protected item id: ${id}`);
  return { resourceGroup: m[1], vault: m[2], fabric: m[3], container: m[4], item: m[5] };
}

/** Drops undefined properties, so the snapshot only has what ASR reported. */
function defined<T extends Record<string, unknown>>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/** The SDK's abortSignal option, absent when there is no signal. */
function abortable(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal ? { abortSignal: signal } : {};
}
