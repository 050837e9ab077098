import { z } from "zod";
import type { Vault } from "../../shared/domain/estate.js";
import { API_VERSIONS } from "./apiVersions.js";
import { begin, findVault, ITEM, VAULT, withItem } from "./asrHandlers.js";
import { iso, reply, type Exchange, type SimReply } from "./http.js";
import { uuidFrom, vaultId } from "./ids.js";
import type { RouteSpec } from "./router.js";
import { parseBody } from "./validate.js";
import type { ProtectedItem, World } from "./world.js";

/**
 * Failback preparation in the simulated ASR: `replicationProtectedItems/{item}/reprotect` (shape of
 * asr-protecteditem-reprotect.json, with the VMware-to-Azure provider inputs Azure PowerShell sends)
 * and `replicationFabrics/{fabric}`, whose appliance agents tell whether the on-premises site is
 * reachable. `FaultPlan.onPremisesUnreachable` makes the agents Critical and reprotect jobs fail.
 */
export function reprotectRoutes(world: World): RouteSpec[] {
  const versions = API_VERSIONS.siteRecovery;
  return [
    { method: "POST", pattern: `${ITEM}/reprotect`, operation: "ReplicationProtectedItems_Reprotect", apiVersions: versions, handle: (ex) => withItem(world, ex, (item) => reprotect(world, ex, item)) },
    { method: "GET", pattern: `${VAULT}/replicationFabrics/{fabricName}`, operation: "ReplicationFabrics_Get", apiVersions: versions, handle: (ex) => fabric(world, ex) },
  ];
}

const ReprotectBody = z.strictObject({
  properties: z.strictObject({
    failoverDirection: z.literal("RecoveryToPrimary", { error: "must be 'RecoveryToPrimary': a failed-over VMware item replicates back to its on-premises site" }),
    providerSpecificDetails: z.object({ instanceType: z.string() }).loose(),
  }),
});

/** ReverseReplicationProviderSpecificInput per provider of the item (InMageAzureV2 items take the 'InMage' input). */
const ProviderInput = {
  InMageRcm: z.strictObject({
    instanceType: z.literal("InMageRcm"),
    reprotectAgentId: z.string().min(1),
    datastoreName: z.string().min(1),
    logStorageAccountId: z.string().min(1),
    policyId: z.string().min(1).optional(),
  }),
  InMageAzureV2: z.strictObject({
    instanceType: z.literal("InMage"),
    masterTargetId: z.string().min(1),
    processServerId: z.string().min(1),
    retentionDrive: z.string().min(1),
    runAsAccountId: z.string().min(1).optional(),
    datastoreName: z.string().min(1).optional(),
    diskExclusionInput: z.unknown().optional(),
    profileId: z.string().min(1),
    disksToInclude: z.array(z.string()).optional(),
  }),
} as const;

function reprotect(world: World, ex: Exchange, item: ProtectedItem): SimReply {
  const parsed = parseBody(ReprotectBody, ex.req.body);
  if (!parsed.ok) return ex.reject(400, "InvalidRequestContent", `Invalid reprotect input: ${parsed.problems}`);
  const expected = item.vault.provider === "InMageRcm" ? "InMageRcm" : "InMage";
  const instanceType = parsed.value.properties.providerSpecificDetails.instanceType;
  if (instanceType !== expected) {
    return ex.reject(400, "InvalidProviderSpecificInput", `providerSpecificDetails.instanceType '${instanceType}' is not the reprotect input of a ${item.vault.provider} item ('${expected}').`);
  }
  const input = parsed.value.properties.providerSpecificDetails;
  const details = item.vault.provider === "InMageRcm" ? parseBody(ProviderInput.InMageRcm, input) : parseBody(ProviderInput.InMageAzureV2, input);
  if (!details.ok) return ex.reject(400, "InvalidRequestContent", `Invalid ${expected} reprotect input: ${details.problems}`);
  const agentId = details.value.instanceType === "InMageRcm" ? details.value.reprotectAgentId : details.value.processServerId;
  const known = agentOf(item.vault);
  if (agentId.toLowerCase() !== known.id.toLowerCase()) {
    return ex.reject(400, "ApplianceNotFound", `'${agentId}' is not a ${known.kind} registered in fabric '${item.vault.fabric}' (known: '${known.id}').`);
  }
  return begin(world, ex, item, "Reprotect");
}

/** The one appliance agent of a vault's fabric: the estate names its id, as the real fabric lists it. */
function agentOf(vault: Vault): { id: string; name: string; kind: string } {
  if (vault.provider === "InMageRcm") {
    return { id: vault.reprotect?.reprotectAgentId ?? uuidFrom(`${vault.fabric}:reprotect-agent`), name: `${vault.fabric}-appliance`, kind: "reprotect agent" };
  }
  return { id: vault.reprotect?.processServerId ?? uuidFrom(`${vault.fabric}:process-server`), name: `${vault.fabric}-ps`, kind: "process server" };
}

function fabric(world: World, ex: Exchange): SimReply {
  const found = findVault(world, ex);
  if ("reply" in found) return found.reply;
  const vault = found.found;
  const name = ex.req.params["fabricName"] ?? "";
  if (name.toLowerCase() !== vault.fabric.toLowerCase()) return ex.reject(404, "FabricNotFound", `The replication fabric '${name}' does not exist in vault '${vault.name}'.`);
  const down = world.faults.onPremisesUnreachable === true;
  const now = ex.req.now;
  const heartbeat = iso(down ? new Date(now.getTime() - 3 * 3_600_000) : new Date(now.getTime() - 60_000));
  const health = down ? "Critical" : "Normal";
  const agent = agentOf(vault);
  const healthErrors = down
    ? [{ errorCode: "78084", errorMessage: `The appliance ${agent.name} has not sent a heartbeat since ${heartbeat}.`, recommendedAction: "Check that the appliance is running and can reach Azure.", creationTimeUtc: iso(now) }]
    : [];
  const customDetails =
    vault.provider === "InMageRcm"
      ? {
          instanceType: "InMageRcm",
          vmwareSiteId: `/subscriptions/${world.estate.subscriptionId}/resourceGroups/${vault.resourceGroup}/providers/Microsoft.OffAzure/VMwareSites/${vault.fabric}-site`,
          processServers: [{ id: uuidFrom(`${vault.fabric}:ps`), name: agent.name, fqdn: `${agent.name}.corp.contoso.com`, lastHeartbeatUtc: heartbeat, health, healthErrors }],
          reprotectAgents: [{ id: agent.id, name: agent.name, fqdn: `${agent.name}.corp.contoso.com`, version: "9.62.7172.1", lastHeartbeatUtc: heartbeat, health, healthErrors }],
        }
      : {
          instanceType: "VMware",
          processServers: [{ id: agent.id, friendlyName: agent.name, ipAddress: "192.168.100.20", lastHeartbeat: heartbeat, health }],
        };
  return reply(200, {
    id: `${vaultId(world.estate.subscriptionId, vault.resourceGroup, vault.name)}/replicationFabrics/${vault.fabric}`,
    name: vault.fabric,
    type: "Microsoft.RecoveryServices/vaults/replicationFabrics",
    location: vault.region,
    properties: { friendlyName: vault.fabric, internalIdentifier: uuidFrom(`${vault.fabric}:dra`), bcdrState: "Valid", health, healthErrorDetails: healthErrors, customDetails },
  });
}
