import type { ComputeManagementClient } from "@azure/arm-compute";
import type { NetworkInterface, NetworkManagementClient } from "@azure/arm-network";
import { DrError } from "../ports/errors.js";
import type { OperationProgress } from "../ports/longRunning.js";
import type { NicPort } from "../ports/nics.js";
import { callAzure } from "./azureErrors.js";

/**
 * Azure RBAC actions the NIC steps need, for the role the Function App's identity gets (infra/).
 * Scope: the NAT/firewall VM (virtualMachines/read), its primary NIC (networkInterfaces/read, /write)
 * and what that NIC references, because a NIC PUT re-joins them (linked access check): its subnet,
 * and its NSG or public IP when it has one. Never the resource group or subscription.
 */
export const NIC_PERMISSIONS = {
  vm: ["Microsoft.Compute/virtualMachines/read"],
  nic: ["Microsoft.Network/networkInterfaces/read", "Microsoft.Network/networkInterfaces/write"],
  linked: [
    "Microsoft.Network/virtualNetworks/subnets/join/action",
    "Microsoft.Network/networkSecurityGroups/join/action",
    "Microsoft.Network/publicIPAddresses/join/action",
  ],
} as const;

/** The recovered VM's primary NIC, read through the VM; IP forwarding turned on with a NIC PUT (long-running, If-Match). */
export function createNics({ compute, network }: { compute: ComputeManagementClient; network: NetworkManagementClient }): NicPort {
  const readNic = (nicId: string): Promise<NetworkInterface> => {
    const { resourceGroup, name } = parseId(nicId, "Microsoft.Network/networkInterfaces");
    return callAzure(`read NIC ${name}`, () => network.networkInterfaces.get(resourceGroup, name));
  };

  const progressOf = async (
    nicId: string,
    start: () => ReturnType<NetworkManagementClient["networkInterfaces"]["beginCreateOrUpdate"]>,
  ): Promise<OperationProgress<void>> => {
    const { name } = parseId(nicId, "Microsoft.Network/networkInterfaces");
    const poller = await callAzure(`enable IP forwarding on NIC ${name}`, start);
    if (!poller.isDone()) return { status: "running", resumeToken: poller.toString() };
    const state = poller.getOperationState();
    if (state.status !== "succeeded") throw new DrError("Unknown", `NIC ${name} update ${state.status}: ${state.error?.message ?? "no detail"}`);
    return { status: "succeeded", result: undefined };
  };

  return {
    async getPrimaryNic(vmId) {
      const { resourceGroup, name } = parseId(vmId, "Microsoft.Compute/virtualMachines");
      const vm = await callAzure(`read VM ${name}`, () => compute.virtualMachines.get(resourceGroup, name));
      const refs = vm.networkProfile?.networkInterfaces ?? [];
      // A VM with one NIC may leave 'primary' unset (VirtualMachine_Get.json); with several, one is marked primary.
      const ref = refs.find((r) => r.primary === true) ?? (refs.length === 1 ? refs[0] : undefined);
      if (!ref?.id) throw new DrError("NotFound", `VM ${name} has no primary network interface`);
      const nic = await readNic(ref.id);
      const configs = nic.ipConfigurations ?? [];
      const config = configs.find((c) => c.primary === true) ?? (configs.length === 1 ? configs[0] : undefined);
      if (!config?.privateIPAddress) throw new DrError("NotFound", `NIC ${nic.name ?? ref.id} of VM ${name} has no primary private IP address`);
      return {
        id: nic.id ?? ref.id,
        enableIpForwarding: nic.enableIPForwarding === true,
        privateIpAddress: config.privateIPAddress,
        provisioningState: nic.provisioningState ?? "",
        etag: nic.etag ?? "",
      };
    },

    async startEnableIpForwarding(nicId, etag) {
      const { resourceGroup, name } = parseId(nicId, "Microsoft.Network/networkInterfaces");
      // A PUT replaces the NIC: send it back as read (the serializer drops read-only fields), only forwarding changed.
      const nic = await readNic(nicId);
      return progressOf(nicId, () =>
        network.networkInterfaces.beginCreateOrUpdate(
          resourceGroup,
          name,
          { ...nic, enableIPForwarding: true },
          { requestOptions: { customHeaders: { "If-Match": etag } } },
        ),
      );
    },

    resumeEnableIpForwarding(nicId, resumeToken) {
      const { resourceGroup, name } = parseId(nicId, "Microsoft.Network/networkInterfaces");
      // Resuming only polls the operation the serialized state names: the body is not sent again.
      return progressOf(nicId, () => network.networkInterfaces.beginCreateOrUpdate(resourceGroup, name, {}, { resumeFrom: resumeToken }));
    },
  };
}

function parseId(id: string, type: string): { resourceGroup: string; name: string } {
  const match = new RegExp(`/resourceGroups/([^/]+)/providers/${type.replace(".", "\\.")}/([^/]+)$`, "i").exec(id);
  if (!match?.[1] || !match[2]) throw new DrError("InvalidInput", `'${id}' is not a ${type} resource id`);
  return { resourceGroup: match[1], name: match[2] };
}
