import { z } from "zod";
import { API_VERSIONS } from "./apiVersions.js";
import { armError, reply, unquote, type Exchange, type SimReply } from "./http.js";
import { ARM_HOST, uuidFrom } from "./ids.js";
import type { RouteSpec } from "./router.js";
import { parseBody } from "./validate.js";
import { vmKey, type NicOperation, type SimNic, type World } from "./world.js";

const VM = "subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/virtualMachines/{vmName}";
const NIC = "subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/networkInterfaces/{networkInterfaceName}";
/** Network RP asks callers to poll every 10 s (as for routes, routeHandlers.ts). */
const NETWORK_RETRY_AFTER_SECONDS = "10";

/**
 * NetworkInterfaces_CreateOrUpdate body (networkInterface.json, NetworkInterfaceCreate.json): the whole NIC.
 * Read-only fields (etag, provisioningState, macAddress, primary, virtualMachine) are not sent by the SDK
 * and ignored by ARM, so they are let through here.
 */
const NicBody = z.looseObject({
  location: z.string().min(1),
  properties: z.looseObject({
    enableIPForwarding: z.boolean().optional(),
    ipConfigurations: z
      .array(
        z.looseObject({
          name: z.string().min(1),
          properties: z.looseObject({
            privateIPAddress: z.string().optional(),
            privateIPAllocationMethod: z.enum(["Static", "Dynamic"]).optional(),
            primary: z.boolean().optional(),
            subnet: z.looseObject({ id: z.string().min(1) }),
          }),
        }),
      )
      .min(1, "a network interface needs at least one IP configuration"),
  }),
});

export function nicRoutes(world: World): RouteSpec[] {
  return [
    { method: "GET", pattern: VM, operation: "VirtualMachines_Get", apiVersions: API_VERSIONS.compute, handle: (ex) => getVm(world, ex) },
    { method: "GET", pattern: NIC, operation: "NetworkInterfaces_Get", apiVersions: API_VERSIONS.network, handle: (ex) => getNic(world, ex) },
    { method: "PUT", pattern: NIC, operation: "NetworkInterfaces_CreateOrUpdate", apiVersions: API_VERSIONS.network, handle: (ex) => putNic(world, ex) },
  ];
}

/** VirtualMachines_Get (VirtualMachine_Get.json), reduced to what the product reads: the VM's NICs. */
function getVm(world: World, ex: Exchange): SimReply {
  const { resourceGroupName = "", vmName = "" } = ex.req.params;
  const key = vmKey(resourceGroupName, vmName);
  const vm = world.vms.get(key);
  if (!vm)
    return armError(
      404,
      "ResourceNotFound",
      `The Resource 'Microsoft.Compute/virtualMachines/${vmName}' under resource group '${resourceGroupName}' was not found.`,
    );
  const nic = world.nics.get(key);
  return reply(200, {
    name: vm.name,
    id: vm.id,
    type: "Microsoft.Compute/virtualMachines",
    location: vm.location,
    properties: {
      storageProfile: { osDisk: { osType: vm.os === "windows" ? "Windows" : "Linux" } },
      // NetworkInterfaceReference: { id, properties: { primary } }; the primary NIC is the one marked so.
      networkProfile: { networkInterfaces: nic ? [{ id: nic.id, properties: { primary: true } }] : [] },
      provisioningState: "Succeeded",
    },
  });
}

function findNic(world: World, ex: Exchange): SimNic | undefined {
  const { resourceGroupName = "", networkInterfaceName = "" } = ex.req.params;
  // A NIC of a VM that no longer exists went with it (ASR's test failover cleanup deletes both).
  return [...world.nics.entries()].find(
    ([key, n]) =>
      world.vms.has(key) && n.resourceGroup.toLowerCase() === resourceGroupName.toLowerCase() && n.name.toLowerCase() === networkInterfaceName.toLowerCase(),
  )?.[1];
}

function nicNotFound(world: World, ex: Exchange): SimReply {
  const { resourceGroupName = "", networkInterfaceName = "" } = ex.req.params;
  return armError(
    404,
    "NotFound",
    `Resource /subscriptions/${world.estate.subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Network/networkInterfaces/${networkInterfaceName} not found.`,
  );
}

function getNic(world: World, ex: Exchange): SimReply {
  const nic = findNic(world, ex);
  return nic ? reply(200, nicJson(world, nic)) : nicNotFound(world, ex);
}

/**
 * A PUT replaces the NIC and is long-running (x-ms-long-running-operation, final-state-via
 * azure-async-operation in networkInterface.json): the body shows the new value at once with
 * provisioningState 'Updating', the data plane applies it when the operation ends. If-Match is honoured
 * (network interfaces support ETags: kubernetes-sigs/cloud-provider-azure#425, a mismatch answers 412).
 */
function putNic(world: World, ex: Exchange): SimReply {
  const nic = findNic(world, ex);
  // Creating NICs is not simulated: the product only updates the NIC ASR created with the VM.
  if (!nic)
    return ex.reject(404, "NotFound", `No network interface '${ex.req.params["networkInterfaceName"] ?? ""}' to update: creating NICs is not simulated.`);
  const parsed = parseBody(NicBody, ex.req.body);
  if (!parsed.ok) return ex.reject(400, "InvalidRequestFormat", `Invalid network interface: ${parsed.problems}`);
  const ifMatch = ex.req.headers.get("If-Match");
  if (ifMatch !== undefined && unquote(ifMatch) !== unquote(nic.etag)) {
    return armError(
      412,
      "PreconditionFailed",
      `Precondition failed: the If-Match etag ${ifMatch} does not match the etag ${nic.etag} of network interface '${nic.name}'.`,
    );
  }
  const body = parsed.value;
  if (body.location.replace(/\s/g, "").toLowerCase() !== nic.location.toLowerCase()) {
    return ex.reject(400, "InvalidRequestFormat", `Network interface '${nic.name}' is in '${nic.location}': a PUT cannot move it to '${body.location}'.`);
  }
  // The simulator models IP forwarding changes only. A PUT is a replacement, so a body that leaves out or
  // changes the primary IP configuration would change the VM's address: refused as misuse (the exact ARM
  // answer to each such body is not known here).
  const primary = body.properties.ipConfigurations.find((c) => c.name.toLowerCase() === nic.ipConfigName.toLowerCase());
  if (
    !primary ||
    primary.properties.subnet.id.toLowerCase() !== nic.subnetId.toLowerCase() ||
    (primary.properties.privateIPAddress ?? nic.privateIpAddress) !== nic.privateIpAddress
  ) {
    return ex.reject(
      400,
      "InvalidRequestFormat",
      `The PUT of network interface '${nic.name}' drops or changes its primary IP configuration '${nic.ipConfigName}' (${nic.privateIpAddress} in ${nic.subnetId}): a PUT replaces the NIC, send back the configuration you read.`,
    );
  }
  const enableIpForwarding = body.properties.enableIPForwarding ?? false;
  nic.enableIpForwarding = enableIpForwarding;
  nic.provisioningState = "Updating";
  nic.etag = `W/"${world.ids.uuid("nic-etag")}"`;
  const op: NicOperation = {
    name: world.ids.uuid("network-operation"),
    seq: world.nextSeq(),
    nic,
    location: nic.location,
    endsAt: new Date(ex.req.now.getTime() + world.durations.routeUpdateMs),
    enableIpForwarding,
    state: "InProgress",
  };
  world.nicOps.set(op.name.toLowerCase(), op);
  const apiVersion = ex.req.url.searchParams.get("api-version") ?? API_VERSIONS.network[0];
  return reply(200, nicJson(world, nic), {
    "Azure-AsyncOperation": `${ARM_HOST}/subscriptions/${world.estate.subscriptionId}/providers/Microsoft.Network/locations/${op.location}/operations/${op.name}?api-version=${apiVersion}`,
    "Retry-After": NETWORK_RETRY_AFTER_SECONDS,
  });
}

/** The NIC update has run its course: its forwarding setting is in effect, and it is provisioned once no other update runs. */
export function finishNicOperation(world: World, op: NicOperation): void {
  op.state = "Succeeded";
  if (op.enableIpForwarding) world.forwardingNics.add(op.nic);
  else world.forwardingNics.delete(op.nic);
  const stillUpdating = [...world.nicOps.values()].some((other) => other.nic === op.nic && other.state === "InProgress");
  if (!stillUpdating) op.nic.provisioningState = "Succeeded";
}

/** NetworkInterfaces_Get (NetworkInterfaceGet.json): one primary IP configuration, the VM it belongs to. */
function nicJson(world: World, nic: SimNic): unknown {
  return {
    name: nic.name,
    id: nic.id,
    etag: nic.etag,
    location: nic.location,
    type: "Microsoft.Network/networkInterfaces",
    properties: {
      provisioningState: nic.provisioningState,
      resourceGuid: uuidFrom(`nic-guid:${nic.id.toLowerCase()}`),
      ipConfigurations: [
        {
          name: nic.ipConfigName,
          id: `${nic.id}/ipConfigurations/${nic.ipConfigName}`,
          etag: nic.etag,
          type: "Microsoft.Network/networkInterfaces/ipConfigurations",
          properties: {
            provisioningState: nic.provisioningState,
            privateIPAddress: nic.privateIpAddress,
            privateIPAllocationMethod: "Static",
            subnet: { id: nic.subnetId },
            primary: true,
            privateIPAddressVersion: "IPv4",
          },
        },
      ],
      dnsSettings: { dnsServers: [], appliedDnsServers: [] },
      enableAcceleratedNetworking: false,
      enableIPForwarding: nic.enableIpForwarding,
      primary: true,
      virtualMachine: { id: nic.vm.id },
      vnetEncryptionSupported: false,
      nicType: "Standard",
    },
  };
}
