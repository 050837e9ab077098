import type { OperationProgress } from "./longRunning.js";

/** The primary network interface of a VM, as the network resource provider holds it. */
export interface PrimaryNic {
  /** ARM id of the NIC (Microsoft.Network/networkInterfaces/...). */
  readonly id: string;
  readonly enableIpForwarding: boolean;
  /** Private IP of the NIC's primary IP configuration: the address a route's next hop must be. */
  readonly privateIpAddress: string;
  /** 'Succeeded' once the last update has been applied; 'Updating' while one runs. */
  readonly provisioningState: string;
  /** Changes on every update; a write carries it as If-Match. */
  readonly etag: string;
}

/** Network interfaces of recovered VMs: read them, and turn IP forwarding on for a NAT/firewall. */
export interface NicPort {
  /** The VM's primary NIC (VM -> networkProfile -> the primary NIC). NotFound when the VM or NIC does not exist. */
  getPrimaryNic(vmId: string): Promise<PrimaryNic>;
  /**
   * Rewrites the NIC as it is now with IP forwarding on, under If-Match `etag` (PreconditionFailed when
   * it changed since it was read). A long-running operation.
   */
  startEnableIpForwarding(nicId: string, etag: string): Promise<OperationProgress<void>>;
  resumeEnableIpForwarding(nicId: string, resumeToken: string): Promise<OperationProgress<void>>;
}
