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
 * Failback preparation in the simulated ASR: `replicationProtectedItems/{item}/reProtect` (the body
 * recorded in TestV2ARCMReprotect.json)
 * and `replicationFabrics/{fabric}`, whose appliance agents tell whether the on-premises site is
 * reachable. `FaultPlan.onPremisesUnreachable` makes the agents Critical and reprotect jobs fail.
 */
export function reprotectRoutes(world: World): RouteSpec[] {
  const versions = API_VERSIONS.siteRecovery;
  return [
    {
      method: "POST",
      pattern: `${ITEM}/reprotect`,
      operation: "ReplicationProtectedItems_Reprotect",
      apiVersions: versions,
      handle: (ex) => withItem(world, ex, (item) => reprotect(world, ex, item)),
    },
    {
      method: "GET",
      pattern: `${VAULT}/replicationFabrics/{fabricName}`,
      operation: "ReplicationFabrics_Get",
      apiVersions: versions,
      handle: (ex) => fabric(world, ex),
    },
  ];
}

/** The body of `reProtect` as far as both directions share it: the direction, and provider details read further per direction. */
type ReprotectBody = z.ZodType<{ properties: { providerSpecificDetails: { instanceType: string } } }>;

/** One direction of `reProtect` on an InMageRcm item: what its body must say and which fabric component it names. */
interface ReprotectDirection<Input> {
  readonly body: ReprotectBody;
  readonly instanceType: "InMageRcm" | "InMageRcmFailback";
  readonly input: z.ZodType<Input>;
  /** The component of the vault's fabric the input names by id, and the error ASR's check of it gives. */
  readonly component: { readonly what: string; readonly code: string; readonly named: (input: Input) => string; readonly of: (vault: Vault) => { id: string } };
}

function reprotectBody(failoverDirection: "RecoveryToPrimary" | "PrimaryToRecovery", error: string): ReprotectBody {
  return z.strictObject({
    properties: z.strictObject({
      failoverDirection: z.literal(failoverDirection, { error }),
      providerSpecificDetails: z.object({ instanceType: z.string() }).loose(),
    }),
  });
}

/** Reprotect of a failed-over item towards vSphere: InMageRcm reprotect input, as recorded (TestV2ARCMReprotect.json): instanceType InMageRcm, not InMageRcmFailback. */
const TOWARDS_VSPHERE: ReprotectDirection<{ reprotectAgentId: string }> = {
  body: reprotectBody("RecoveryToPrimary", "must be 'RecoveryToPrimary': a failed-over VMware item replicates back to its on-premises site"),
  instanceType: "InMageRcm",
  input: z.strictObject({
    instanceType: z.literal("InMageRcm"),
    reprotectAgentId: z.string().min(1),
    datastoreName: z.string().min(1),
    logStorageAccountId: z.string().min(1),
    policyId: z.string().min(1).optional(),
  }),
  component: { what: "reprotect agent", code: "ApplianceNotFound", named: (input) => input.reprotectAgentId, of: agentOf },
};

/**
 * Reprotect of a failed-back item towards Azure: InMageRcmFailbackReprotectInput as Azure PowerShell's
 * Update-AzRecoveryServicesAsrProtectionDirection builds it for an InMageRcmFailback item (direction
 * PrimaryToRecovery; processServerId the fabric's processServers[].id of the appliance, policyId,
 * runAsAccountId from the VMware site's run-as accounts; SDK model InMageRcmFailbackReprotectInput:
 * processServerId and policyId required, runAsAccountId optional).
 */
const TOWARDS_AZURE: ReprotectDirection<{ processServerId: string }> = {
  body: reprotectBody("PrimaryToRecovery", "must be 'PrimaryToRecovery': a failed-back item is protected towards Azure again"),
  instanceType: "InMageRcmFailback",
  input: z.strictObject({
    instanceType: z.literal("InMageRcmFailback"),
    processServerId: z.string().min(1),
    policyId: z.string().min(1),
    runAsAccountId: z.string().min(1).optional(),
  }),
  component: { what: "process server", code: "ProcessServerNotFound", named: (input) => input.processServerId, of: processServerOf },
};

function reprotect(world: World, ex: Exchange, item: ProtectedItem): SimReply {
  return item.reprotected ? reprotectTowards(world, ex, item, TOWARDS_AZURE) : reprotectTowards(world, ex, item, TOWARDS_VSPHERE);
}

function reprotectTowards<Input>(world: World, ex: Exchange, item: ProtectedItem, direction: ReprotectDirection<Input>): SimReply {
  const { instanceType, component } = direction;
  const parsed = parseBody(direction.body, ex.req.body);
  if (!parsed.ok) return ex.reject(400, "InvalidRequestContent", `Invalid reprotect input: ${parsed.problems}`);
  const given = parsed.value.properties.providerSpecificDetails.instanceType;
  if (given !== instanceType) {
    return ex.reject(
      400,
      "InvalidProviderSpecificInput",
      `providerSpecificDetails.instanceType '${given}' is not the reprotect input of an ${instanceType} item ('${instanceType}').`,
    );
  }
  const details = parseBody(direction.input, parsed.value.properties.providerSpecificDetails);
  if (!details.ok) return ex.reject(400, "InvalidRequestContent", `Invalid ${instanceType} reprotect input: ${details.problems}`);
  const named = component.named(details.value);
  const known = component.of(item.vault);
  if (named.toLowerCase() !== known.id.toLowerCase()) {
    return ex.reject(400, component.code, `'${named}' is not a ${component.what} registered in fabric '${item.vault.fabric}' (known: '${known.id}').`);
  }
  return begin(world, ex, item, "SwitchReplicationGroupProtection");
}

/** The appliance's process server: the estate's failbackReprotect names its id, as the real fabric lists it. */
function processServerOf(vault: Vault): { id: string } {
  return { id: vault.failbackReprotect?.processServerId ?? uuidFrom(`${vault.fabric}:ps`) };
}

/** The one appliance agent of a vault's fabric: the estate names its id, as the real fabric lists it. */
function agentOf(vault: Vault): { id: string; name: string } {
  return { id: vault.reprotect?.reprotectAgentId ?? uuidFrom(`${vault.fabric}:reprotect-agent`), name: `${vault.fabric}-appliance` };
}

function fabric(world: World, ex: Exchange): SimReply {
  const found = findVault(world, ex);
  if ("reply" in found) return found.reply;
  const vault = found.found;
  const name = ex.req.params["fabricName"] ?? "";
  if (name.toLowerCase() !== vault.fabric.toLowerCase())
    return ex.reject(404, "FabricNotFound", `The replication fabric '${name}' does not exist in vault '${vault.name}'.`);
  const down = world.faults.onPremisesUnreachable === true;
  const now = ex.req.now;
  const heartbeat = iso(down ? new Date(now.getTime() - 3 * 3_600_000) : new Date(now.getTime() - 60_000));
  const health = down ? "Critical" : "Normal";
  const agent = agentOf(vault);
  const healthErrors = down
    ? [
        {
          errorCode: "78084",
          errorMessage: `The appliance ${agent.name} has not sent a heartbeat since ${heartbeat}.`,
          recommendedAction: "Check that the appliance is running and can reach Azure.",
          creationTimeUtc: iso(now),
        },
      ]
    : [];
  const customDetails = {
    instanceType: "InMageRcm",
    vmwareSiteId: `/subscriptions/${world.estate.subscriptionId}/resourceGroups/${vault.resourceGroup}/providers/Microsoft.OffAzure/VMwareSites/${vault.fabric}-site`,
    processServers: [
      { id: processServerOf(vault).id, name: agent.name, fqdn: `${agent.name}.corp.contoso.com`, lastHeartbeatUtc: heartbeat, health, healthErrors },
    ],
    reprotectAgents: [
      { id: agent.id, name: agent.name, fqdn: `${agent.name}.corp.contoso.com`, version: "9.62.7172.1", lastHeartbeatUtc: heartbeat, health, healthErrors },
    ],
  };
  return reply(200, {
    id: `${vaultId(world.estate.subscriptionId, vault.resourceGroup, vault.name)}/replicationFabrics/${vault.fabric}`,
    name: vault.fabric,
    type: "Microsoft.RecoveryServices/vaults/replicationFabrics",
    location: vault.region,
    properties: {
      friendlyName: vault.fabric,
      internalIdentifier: uuidFrom(`${vault.fabric}:dra`),
      bcdrState: "Valid",
      health,
      healthErrorDetails: healthErrors,
      customDetails,
    },
  });
}
