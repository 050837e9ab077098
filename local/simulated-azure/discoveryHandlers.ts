import type { Vault } from "../../shared/domain/estate.js";
import { API_VERSIONS } from "./apiVersions.js";
import { VAULT, findVault } from "./asrHandlers.js";
import { recordSetJson } from "./dnsHandlers.js";
import { reply, type Exchange, type SimReply } from "./http.js";
import { keyOf, uuidFrom, vaultId } from "./ids.js";
import { routeJson } from "./routeHandlers.js";
import type { RouteSpec } from "./router.js";
import type { DnsRecordSet, World } from "./world.js";

/**
 * What a vault holds beside the estate's own VMware items, for `estate discover` to meet:
 * - `classicVaults`: vault keys whose VMware site is a Configuration Server (fabric kind 'VMware',
 *   provider InMageAzureV2: the classic architecture retired on 30 March 2026) instead of the
 *   modernized appliance's fabric (kind 'InMageRcm'). Only the fabric list shows it.
 * - `foreignItems`: items of another replication scenario (Hyper-V to Azure, the one provider the spec
 *   examples show) protected in an estate vault, in their own Hyper-V site fabric.
 */
export interface DiscoveryFaultPlan {
  classicVaults?: string[];
  foreignItems?: { vault: string; name: string; friendlyName: string }[];
}

const RG = "subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network";

/** The LIST reads of `estate discover` the failover never makes: fabrics, containers, A record sets by zone, route tables. */
export function discoveryRoutes(world: World): RouteSpec[] {
  const asr = API_VERSIONS.siteRecovery;
  return [
    {
      method: "GET",
      pattern: `${VAULT}/replicationFabrics`,
      operation: "ReplicationFabrics_List",
      apiVersions: asr,
      handle: (ex) => withVault(world, ex, (vault, key) => reply(200, { value: fabricsOf(world, vault, key) })),
    },
    {
      method: "GET",
      pattern: `${VAULT}/replicationFabrics/{fabricName}/replicationProtectionContainers`,
      operation: "ReplicationProtectionContainers_ListByReplicationFabrics",
      apiVersions: asr,
      handle: (ex) => withVault(world, ex, (vault, key) => containersOf(world, ex, vault, key)),
    },
    {
      method: "GET",
      pattern: `${RG}/dnsZones/{zoneName}/{recordType}`,
      operation: "RecordSets_ListByType",
      apiVersions: API_VERSIONS.dns,
      handle: (ex) => listRecordSets(world, ex, "public"),
    },
    {
      method: "GET",
      pattern: `${RG}/privateDnsZones/{zoneName}/{recordType}`,
      operation: "PrivateRecordSets_ListByType",
      apiVersions: API_VERSIONS.privateDns,
      handle: (ex) => listRecordSets(world, ex, "private"),
    },
    {
      method: "GET",
      pattern: "subscriptions/{subscriptionId}/providers/Microsoft.Network/routeTables",
      operation: "RouteTables_ListAll",
      apiVersions: API_VERSIONS.network,
      handle: () => reply(200, { value: routeTablesJson(world) }),
    },
  ];
}

/** Items of another scenario in the vault-level item list (ReplicationProtectedItems_Get.json's HyperVReplicaAzure shape, reduced). */
export function foreignItemsJson(world: World, vault: Vault): unknown[] {
  const key = vaultKeyOf(world, vault);
  const vaultPath = vaultId(world.estate.subscriptionId, vault.resourceGroup, vault.name);
  return (world.faults.discovery?.foreignItems ?? [])
    .filter((item) => item.vault === key)
    .map((item) => ({
      id: `${vaultPath}/replicationFabrics/${hyperVSiteName(vault)}/replicationProtectionContainers/${hyperVSiteName(vault)}-cloud/replicationProtectedItems/${item.name}`,
      name: item.name,
      type: "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems",
      location: vault.region,
      properties: {
        friendlyName: item.friendlyName,
        protectedItemType: "HyperVVirtualMachine",
        primaryFabricFriendlyName: hyperVSiteName(vault),
        protectionState: "Protected",
        replicationHealth: "Normal",
        activeLocation: "Primary",
        providerSpecificDetails: { instanceType: "HyperVReplicaAzure" },
      },
    }));
}

function vaultKeyOf(world: World, vault: Vault): string | undefined {
  return Object.entries(world.estate.vaults).find(([, v]) => v === vault)?.[0];
}

function hyperVSiteName(vault: Vault): string {
  return `${vault.name}-hyperv-site`;
}

function withVault(world: World, ex: Exchange, then: (vault: Vault, key: string) => SimReply): SimReply {
  const found = findVault(world, ex);
  if ("reply" in found) return found.reply;
  return then(found.found, vaultKeyOf(world, found.found) ?? "");
}

/**
 * ReplicationFabrics_List: `{ value: [fabric] }` with each fabric shaped like ReplicationFabrics_Create.json's
 * answer (friendlyName, internalIdentifier, customDetails.instanceType, health). customDetails of the
 * modernized appliance's fabric follow the SDK's InMageRcmFabricSpecificDetails: its reprotect agents
 * (id, name, accessibleDatastores) are what a reprotect towards vSphere names.
 */
function fabricsOf(world: World, vault: Vault, key: string): unknown[] {
  const vaultPath = vaultId(world.estate.subscriptionId, vault.resourceGroup, vault.name);
  const classic = (world.faults.discovery?.classicVaults ?? []).includes(key);
  const appliance = `${vault.fabric}-appliance`;
  const fabric = (name: string, customDetails: unknown) => ({
    name,
    type: "Microsoft.RecoveryServices/vaults/replicationFabrics",
    id: `${vaultPath}/replicationFabrics/${name}`,
    properties: {
      friendlyName: name,
      encryptionDetails: { kekState: "None" },
      rolloverEncryptionDetails: { kekState: "None" },
      internalIdentifier: uuidFrom(`${vaultPath}:${name}`),
      bcdrState: "Valid",
      customDetails,
      healthErrorDetails: [],
      health: "Normal",
    },
  });
  const vmware = classic
    ? fabric(vault.fabric, { instanceType: "VMware", processServers: [], masterTargetServers: [] })
    : fabric(vault.fabric, {
        instanceType: "InMageRcm",
        vmwareSiteId: `/subscriptions/${world.estate.subscriptionId}/resourceGroups/${vault.resourceGroup}/providers/Microsoft.OffAzure/VMwareSites/${vault.fabric}-site`,
        processServers: [{ id: uuidFrom(`${appliance}:ps`), name: appliance, health: "Normal" }],
        reprotectAgents: vault.reprotect
          ? [{ id: vault.reprotect.reprotectAgentId, name: appliance, accessibleDatastores: [vault.reprotect.datastoreName], health: "Normal" }]
          : [],
      });
  const foreign = (world.faults.discovery?.foreignItems ?? []).some((i) => i.vault === key);
  return [vmware, ...(foreign ? [fabric(hyperVSiteName(vault), { instanceType: "HyperVSite" })] : [])];
}

/**
 * ReplicationProtectionContainers_ListByReplicationFabrics: `{ value: [container] }`, each shaped like the
 * answer of ReplicationProtectionContainers_DiscoverProtectableItem.json (fabricFriendlyName, fabricType,
 * protectedItemCount, pairingStatus, role). A fabric the vault does not have is ASR's 404.
 */
function containersOf(world: World, ex: Exchange, vault: Vault, key: string): SimReply {
  const fabricName = ex.req.params["fabricName"] ?? "";
  const classic = (world.faults.discovery?.classicVaults ?? []).includes(key);
  const hyperV = hyperVSiteName(vault);
  const isOurs = fabricName.toLowerCase() === vault.fabric.toLowerCase();
  const isHyperV = fabricName.toLowerCase() === hyperV.toLowerCase() && (world.faults.discovery?.foreignItems ?? []).some((i) => i.vault === key);
  if (!isOurs && !isHyperV) return ex.reject(404, "FabricNotFound", `The replication fabric '${fabricName}' does not exist in vault '${vault.name}'.`);
  const vaultPath = vaultId(world.estate.subscriptionId, vault.resourceGroup, vault.name);
  const name = isOurs ? vault.protectionContainer : `${hyperV}-cloud`;
  const count = isOurs ? [...world.items.values()].filter((i) => i.vault === vault).length : 0;
  return reply(200, {
    value: [
      {
        id: `${vaultPath}/replicationFabrics/${fabricName}/replicationProtectionContainers/${name}`,
        name,
        type: "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers",
        properties: {
          fabricFriendlyName: fabricName,
          friendlyName: name,
          fabricType: isOurs ? (classic ? "VMware" : "InMageRcm") : "HyperVSite",
          protectedItemCount: count,
          pairingStatus: "Paired",
          role: "Primary",
        },
      },
    ],
  });
}

/**
 * RecordSets_ListByType / PrivateRecordSets_ListByType: ARM's list envelope `{ value: [...] }` of record
 * sets shaped as their GET answers them (dns-recordset-a-get.json, privatedns-recordset-a-get.json). Only
 * A record sets are simulated; a zone the subscription does not hold is the GET's ParentResourceNotFound.
 */
function listRecordSets(world: World, ex: Exchange, zoneType: DnsRecordSet["zoneType"]): SimReply {
  const { resourceGroupName = "", zoneName = "", recordType = "" } = ex.req.params;
  if (!world.dnsZones.has(keyOf(zoneType, resourceGroupName, zoneName))) {
    const kind = zoneType === "public" ? "dnsZones" : "privateDnsZones";
    return ex.reject(
      404,
      "ParentResourceNotFound",
      `Can not perform requested operation on nested resource. Parent resource '${zoneName}' (Microsoft.Network/${kind}) not found in resource group '${resourceGroupName}'.`,
    );
  }
  if (recordType !== "A") return reply(200, { value: [] });
  const records = [...world.dns.values()].filter((r) => keyOf(r.zoneType, r.resourceGroup, r.zone) === keyOf(zoneType, resourceGroupName, zoneName));
  return reply(200, { value: records.map((r) => recordSetJson(world, r)) });
}

/** RouteTables_ListAll: every route table of the subscription with its routes inline (RouteTable: properties.routes[]). */
function routeTablesJson(world: World): unknown[] {
  const tables = new Map<string, { resourceGroup: string; name: string; location: string }>();
  for (const route of world.routes.values()) {
    const key = keyOf(route.resourceGroup, route.routeTable);
    const location = world.routeTables.get(key)?.location ?? "";
    tables.set(key, { resourceGroup: route.resourceGroup, name: route.routeTable, location });
  }
  return [...tables.entries()].map(([key, t]) => ({
    id: `/subscriptions/${world.estate.subscriptionId}/resourceGroups/${t.resourceGroup}/providers/Microsoft.Network/routeTables/${t.name}`,
    name: t.name,
    type: "Microsoft.Network/routeTables",
    location: t.location,
    etag: `W/"${uuidFrom(`route-table:${key}`)}"`,
    properties: {
      provisioningState: "Succeeded",
      disableBgpRoutePropagation: false,
      routes: [...world.routes.values()].filter((r) => keyOf(r.resourceGroup, r.routeTable) === key).map((r) => routeJson(world, r)),
    },
  }));
}
