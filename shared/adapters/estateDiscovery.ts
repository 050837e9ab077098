import { DnsManagementClient } from "@azure/arm-dns";
import { NetworkManagementClient } from "@azure/arm-network";
import { PrivateDnsManagementClient } from "@azure/arm-privatedns";
import {
  SiteRecoveryManagementClient,
  type InMageRcmFabricSpecificDetails,
  type InMageRcmPolicyDetails,
  type InMageRcmReplicationDetails,
  type ReplicationProtectedItem,
} from "@azure/arm-recoveryservices-siterecovery";
import type { TokenCredential } from "@azure/core-auth";
import { isRestError, type HttpClient } from "@azure/core-rest-pipeline";
import type {
  DiscoveredEstate,
  DiscoveredItem,
  DiscoveredPolicy,
  DiscoveredRecordSet,
  DiscoveredRecoveryPlan,
  DiscoveredRoute,
  DiscoveredVault,
  DiscoveryProblem,
  DiscoveryRequest,
} from "../domain/discoveredEstate.js";

export interface DiscoveryClients {
  readonly siteRecovery: SiteRecoveryManagementClient;
  readonly dns: DnsManagementClient;
  readonly privateDns: PrivateDnsManagementClient;
  readonly network: NetworkManagementClient;
}

/** The classic VMware site (Configuration Server) reports its fabric as 'VMware'; the modernized appliance's as 'InMageRcm'. */
const CLASSIC_FABRIC = "VMware";

/**
 * Reads what an estate file needs from the customer's vaults, DNS zones and route tables, with GETs only.
 * A read that fails becomes a problem that says what to do, and the rest is still read; without a
 * credential nothing can be read, so the first such failure ends the reads.
 */
export async function discoverEstate(clients: DiscoveryClients, request: DiscoveryRequest): Promise<DiscoveredEstate> {
  const problems: DiscoveryProblem[] = [];
  let signedIn = true;
  const attempt = async <T>(where: string, read: () => Promise<T>): Promise<T | undefined> => {
    if (!signedIn) return undefined;
    try {
      return await read();
    } catch (error) {
      if (isCredentialFailure(error)) {
        signedIn = false;
        problems.push({ where: "Azure", problem: credentialAdvice(error) });
      } else {
        problems.push({ where, problem: explain(error, where) });
      }
      return undefined;
    }
  };
  const vaults: DiscoveredVault[] = [];
  for (const vault of request.vaults) {
    const found = await discoverVault(clients.siteRecovery, vault, attempt, problems);
    if (found) vaults.push(found);
  }
  const recordSets: DiscoveredRecordSet[] = [];
  for (const zone of request.dnsZones) {
    const records = await attempt(`the ${zone.zoneType} DNS zone '${zone.zone}' (resource group ${zone.resourceGroup})`, () => listARecords(clients, zone));
    if (records) recordSets.push(...records);
  }
  const routes = await attempt("the route tables of the subscription", () => listRoutes(clients.network));
  return { subscriptionId: request.subscriptionId, vaults, recordSets, routes, problems };
}

type Attempt = <T>(where: string, read: () => Promise<T>) => Promise<T | undefined>;

async function discoverVault(
  client: SiteRecoveryManagementClient,
  vault: { readonly resourceGroup: string; readonly name: string },
  attempt: Attempt,
  problems: DiscoveryProblem[],
): Promise<DiscoveredVault | undefined> {
  const where = `vault '${vault.name}' (resource group ${vault.resourceGroup})`;
  const fabrics = await attempt(where, () => collect(client.replicationFabrics.list(vault.name, vault.resourceGroup)));
  if (!fabrics) return undefined;
  const kinds = fabrics.map((f) => f.properties?.customDetails?.instanceType ?? "");
  const modern = fabrics.find((f) => f.properties?.customDetails?.instanceType === "InMageRcm");
  if (!modern) {
    problems.push({
      where,
      problem: kinds.includes(CLASSIC_FABRIC)
        ? "its VMware site uses the classic architecture (Configuration Server, InMageAzureV2), retired on 30 March 2026: move the VMs to the modernized replication appliance (InMageRcm), then run discover again"
        : `it has no VMware site of the modernized replication appliance (fabrics found: ${kinds.join(", ") || "none"}): name the vault that protects the vSphere VMs`,
    });
    return undefined;
  }
  const fabric = modern.name ?? "";
  const containers = await attempt(`the protection containers of ${where}`, () =>
    collect(client.replicationProtectionContainers.listByReplicationFabrics(vault.name, vault.resourceGroup, fabric)),
  );
  const listed =
    (await attempt(`the protected items of ${where}`, () => collect(client.replicationProtectedItems.list(vault.name, vault.resourceGroup)))) ?? [];
  const items: DiscoveredItem[] = [];
  for (const item of listed) {
    const provider = item.properties?.providerSpecificDetails?.instanceType ?? "";
    const label = `'${item.properties?.friendlyName ?? item.name ?? ""}' (item ${item.name ?? ""})`;
    if (provider !== "InMageRcm") {
      problems.push({
        where: `${label} in ${where}`,
        problem:
          provider === "InMageRcmFailback"
            ? "it replicates from Azure back to vSphere (reprotected after a failover): left out; run discover again once it is protected towards Azure"
            : `it is replicated with '${provider}', not VMware with the modernized appliance (InMageRcm): left out of the estate`,
      });
      continue;
    }
    // Recorded: a LIST answers vmNics: [] for InMageRcm items, a GET of the item fills them in.
    const path = parseItemId(item.id ?? "");
    const full = path
      ? await attempt(`item ${label} in ${where}`, () =>
          client.replicationProtectedItems.get(vault.name, vault.resourceGroup, path.fabric, path.container, path.item),
        )
      : undefined;
    items.push(toItem(full ?? item));
  }
  const policies =
    (await attempt(`the replication policies of ${where}`, () => collect(client.replicationPolicies.list(vault.name, vault.resourceGroup)))) ?? [];
  const plans = (await attempt(`the recovery plans of ${where}`, () => collect(client.replicationRecoveryPlans.list(vault.name, vault.resourceGroup)))) ?? [];
  const details = modern.properties?.customDetails as InMageRcmFabricSpecificDetails | undefined;
  return {
    resourceGroup: vault.resourceGroup,
    name: vault.name,
    ...defined({ region: items.find((i) => i.targetLocation)?.targetLocation ?? listed.find((i) => i.location)?.location }),
    fabric,
    ...defined({ container: containers?.[0]?.name }),
    reprotectAgents: (details?.reprotectAgents ?? []).flatMap((a) =>
      a.id ? [{ id: a.id, name: a.name ?? "", datastores: a.accessibleDatastores ?? [] }] : [],
    ),
    items,
    policies: policies.flatMap((p): DiscoveredPolicy[] => {
      const d = p.properties?.providerSpecificDetails;
      if (!p.id) return [];
      const rcm = d?.instanceType === "InMageRcm" ? (d as InMageRcmPolicyDetails) : undefined;
      return [
        {
          id: p.id,
          name: p.name ?? "",
          provider: d?.instanceType ?? "",
          ...defined({ retentionMinutes: rcm?.recoveryPointHistoryInMinutes, appConsistentFrequencyMinutes: rcm?.appConsistentFrequencyInMinutes }),
        },
      ];
    }),
    recoveryPlans: plans.map((plan): DiscoveredRecoveryPlan => ({
      name: plan.name ?? "",
      bootGroups: (plan.properties?.groups ?? [])
        .filter((g) => g.groupType === "Boot")
        .map((g) => (g.replicationProtectedItems ?? []).flatMap((i) => (i.id ? [lastSegment(i.id).toLowerCase()] : []))),
    })),
  };
}

function toItem(item: ReplicationProtectedItem): DiscoveredItem {
  const d = item.properties?.providerSpecificDetails as InMageRcmReplicationDetails | undefined;
  const os = (d?.osType ?? "").toLowerCase();
  return {
    name: item.name ?? "",
    friendlyName: item.properties?.friendlyName ?? item.name ?? "",
    ...defined({
      os: os === "linux" ? ("linux" as const) : os === "windows" ? ("windows" as const) : undefined,
      targetVmName: d?.targetVmName,
      targetResourceGroupId: d?.targetResourceGroupId,
      targetLocation: d?.targetLocation,
      testNetworkId: d?.testNetworkId,
      targetNetworkId: d?.targetNetworkId,
      policyId: item.properties?.policyId,
    }),
    nics: (d?.vmNics ?? []).map((n) => ({
      primary: n.isPrimaryNic === "true",
      ...defined({ sourceIp: n.sourceIPAddress || undefined, targetIp: n.targetIPAddress || undefined }),
    })),
  };
}

async function listARecords(clients: DiscoveryClients, zone: DiscoveryRequest["dnsZones"][number]): Promise<DiscoveredRecordSet[]> {
  const sets =
    zone.zoneType === "public"
      ? await collect(clients.dns.recordSets.listByType(zone.resourceGroup, zone.zone, "A"))
      : await collect(clients.privateDns.recordSets.listByType(zone.resourceGroup, zone.zone, "A"));
  return sets.map((set) => ({
    zoneType: zone.zoneType,
    resourceGroup: zone.resourceGroup,
    zone: zone.zone,
    name: set.name ?? "",
    addresses: (set.aRecords ?? []).flatMap((a) => (a.ipv4Address ? [a.ipv4Address] : [])),
    ttl: set.ttl ?? 0,
  }));
}

async function listRoutes(network: NetworkManagementClient): Promise<DiscoveredRoute[]> {
  const tables = await collect(network.routeTables.listAll());
  return tables.flatMap((table) =>
    (table.routes ?? []).map((route) => ({
      resourceGroup: (table.id ?? "").split("/")[4] ?? "",
      routeTable: table.name ?? "",
      route: route.name ?? "",
      addressPrefix: route.addressPrefix ?? "",
      nextHopType: route.nextHopType ?? "",
      ...defined({ nextHopIp: route.nextHopIpAddress }),
    })),
  );
}

/** @azure/identity's errors when no credential could give a token (checked by name, as elsewhere). */
function isCredentialFailure(error: unknown): boolean {
  const name = error instanceof Error ? error.name : "";
  return name === "CredentialUnavailableError" || name === "AggregateAuthenticationError" || name === "AuthenticationRequiredError";
}

function credentialAdvice(error: unknown): string {
  const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
  return `no Azure credential could sign in (${detail}): run \`az login\` (or Connect-AzAccount), or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for a service principal, then run discover again; nothing was read`;
}

function explain(error: unknown, where: string): string {
  if (!isRestError(error)) return error instanceof Error ? error.message : String(error);
  const status = error.statusCode;
  if (status === 401) return `Azure refused the credential (401 ${error.code ?? ""}): sign in again (\`az login\`) to the tenant of the subscription`;
  if (status === 403) {
    return `permission missing (${error.message.split(". ")[0]}): give the signed-in account the Reader role on it (Reader is enough: discover only reads), then run discover again`;
  }
  if (status === 404) return `not found (${error.code ?? "404"}): check the resource group, the name and the subscription (--subscription)`;
  if (status === undefined)
    return `Azure Resource Manager could not be reached (${error.code ?? error.message}): check the network, proxy and DNS of this machine`;
  return `Azure answered ${status} ${error.code ?? ""} while reading ${where}: ${error.message}`;
}

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const found: T[] = [];
  for await (const value of pages) found.push(value);
  return found;
}

function parseItemId(id: string): { fabric: string; container: string; item: string } | undefined {
  const m = /\/replicationFabrics\/([^/]+)\/replicationProtectionContainers\/([^/]+)\/replicationProtectedItems\/([^/]+)$/i.exec(id);
  return m?.[1] && m[2] && m[3] ? { fabric: m[1], container: m[2], item: m[3] } : undefined;
}

function lastSegment(id: string): string {
  return id.split("/").filter(Boolean).pop() ?? id;
}

/** Drops undefined properties (exactOptionalPropertyTypes). */
function defined<T extends Record<string, unknown>>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/** The four ARM clients discover reads with, built the one way for Azure and the simulated Azure (its httpClient). */
export function createDiscoveryClients(
  credential: TokenCredential,
  subscriptionId: string,
  options: { readonly httpClient?: HttpClient } = {},
): DiscoveryClients {
  const clientOptions = options.httpClient ? { httpClient: options.httpClient } : {};
  return {
    siteRecovery: new SiteRecoveryManagementClient(credential, subscriptionId, clientOptions),
    dns: new DnsManagementClient(credential, subscriptionId, clientOptions),
    privateDns: new PrivateDnsManagementClient(credential, subscriptionId, clientOptions),
    network: new NetworkManagementClient(credential, subscriptionId, clientOptions),
  };
}
