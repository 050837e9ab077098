import { API_VERSIONS } from "./apiVersions.js";
import { armError, reply, type Exchange, type SimReply } from "./http.js";
import { keyOf, lastSegment, uuidFrom } from "./ids.js";
import type { RouteSpec } from "./router.js";
import type { World } from "./world.js";

const VNET = "subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}";

/** VNet name -> its custom DNS servers ([] = Azure-provided DNS), instead of the target DC's address. */
export type VnetDnsServersFault = Readonly<Record<string, readonly string[]>>;

/**
 * The VNets a recovered VM lands in, by resource group and name: the recovery VNets the estate names
 * (the items' target network, healthWorld.ts targetNetworkId), else each vault's production network
 * vnet-prod-<region> in the vault's group, the network the simulator's NICs sit in (world.ts addVm:
 * vnet-<region>) and the vault's isolated test network.
 */
/** A VNet id's resource group and name, as knownVnets keys them. */
const vnetKeyOf = (id: string): string => keyOf(/\/resourceGroups\/([^/]+)\//i.exec(id)?.[1] ?? "", lastSegment(id));

function knownVnets(world: World): Map<string, string> {
  const known = new Map<string, string>();
  for (const vault of Object.values(world.estate.vaults)) {
    for (const id of vault.recoveryNetworkIds) known.set(vnetKeyOf(id), lastSegment(id));
    for (const name of [`vnet-prod-${vault.region}`, `vnet-${vault.region}`]) known.set(keyOf(vault.resourceGroup, name), name);
    const test = /\/resourceGroups\/([^/]+)\//i.exec(vault.testNetworkId)?.[1];
    if (test) known.set(keyOf(test, lastSegment(vault.testNetworkId)), lastSegment(vault.testNetworkId));
  }
  return known;
}

export function vnetRoutes(world: World, dnsServers: VnetDnsServersFault = {}): RouteSpec[] {
  return [
    {
      method: "GET",
      pattern: VNET,
      operation: "VirtualNetworks_Get",
      apiVersions: API_VERSIONS.network,
      handle: (ex) => getVnet(world, ex, dnsServers),
    },
  ];
}

/**
 * VirtualNetworks_Get, reduced to what the product reads: properties.dhcpOptions.dnsServers, the custom
 * DNS servers the VNet's DHCP hands its VMs, in order; an empty list means Azure-provided DNS
 * (168.63.129.16), as `az network vnet create` output shows it ("dhcpOptions": {"dnsServers": []},
 * MicrosoftDocs/azure-docs virtual-network quickstarts; DhcpOptions in the Network REST spec). The
 * recovery VNets start pointing at the target-region DC, as Microsoft advises for AD with Site Recovery
 * (learn.microsoft.com/azure/site-recovery/site-recovery-active-directory: "the DNS server setting of
 * the Azure virtual network" points at the DC in Azure).
 */
function getVnet(world: World, ex: Exchange, faults: VnetDnsServersFault): SimReply {
  const { subscriptionId = "", resourceGroupName = "", virtualNetworkName = "" } = ex.req.params;
  const name = knownVnets(world).get(keyOf(resourceGroupName, virtualNetworkName));
  if (!name) {
    return armError(
      404,
      "ResourceNotFound",
      `The Resource 'Microsoft.Network/virtualNetworks/${virtualNetworkName}' under resource group '${resourceGroupName}' was not found.`,
    );
  }
  const vault =
    Object.values(world.estate.vaults).find((v) => v.recoveryNetworkIds.some((id) => vnetKeyOf(id) === keyOf(resourceGroupName, name))) ??
    Object.values(world.estate.vaults).find((v) => keyOf(v.resourceGroup) === keyOf(resourceGroupName));
  const servers = faults[name] ?? [world.estate.targetDomainController.address];
  return reply(200, {
    name,
    id: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Network/virtualNetworks/${name}`,
    etag: `W/"${uuidFrom(`vnet-etag:${resourceGroupName}/${name}`.toLowerCase())}"`,
    type: "Microsoft.Network/virtualNetworks",
    location: vault?.region ?? "eastus",
    properties: {
      provisioningState: "Succeeded",
      // The simulator's address plan (world.ts): not read by the product.
      addressSpace: { addressPrefixes: [vault?.region === "southeastasia" ? "10.60.0.0/16" : "10.50.0.0/16"] },
      dhcpOptions: { dnsServers: [...servers] },
      subnets: [],
      virtualNetworkPeerings: [],
      enableDdosProtection: false,
    },
  });
}
