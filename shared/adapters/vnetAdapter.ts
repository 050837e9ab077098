import type { NetworkManagementClient } from "@azure/arm-network";
import { DrError, isDrError } from "../ports/errors.js";
import type { VnetPort } from "../ports/vnets.js";
import { callAzure } from "./azureErrors.js";

/**
 * VirtualNetworks_Get: properties.dhcpOptions.dnsServers ("The list of DNS servers IP addresses", DhcpOptions
 * in the Network REST spec), an empty or absent list meaning Azure-provided DNS.
 */
export function createVnets({ client }: { client: NetworkManagementClient }): VnetPort {
  return {
    async getDnsSettings(vnetId, options) {
      const match = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/virtualNetworks\/([^/]+)$/i.exec(vnetId);
      if (!match?.[1] || !match[2]) throw new DrError("InvalidInput", `not a virtual network id: ${vnetId}`);
      const [, resourceGroup, name] = match;
      try {
        const vnet = await callAzure(`read virtual network ${name}`, () =>
          client.virtualNetworks.get(resourceGroup, name, options?.signal ? { abortSignal: options.signal } : {}),
        );
        return { id: vnet.id ?? vnetId, dnsServers: vnet.dhcpOptions?.dnsServers ?? [] };
      } catch (error) {
        if (isDrError(error) && error.code === "NotFound") return undefined;
        throw error;
      }
    },
  };
}
