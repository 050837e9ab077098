import { ComputeManagementClient } from "@azure/arm-compute";
import { DnsManagementClient } from "@azure/arm-dns";
import { NetworkManagementClient } from "@azure/arm-network";
import { PrivateDnsManagementClient } from "@azure/arm-privatedns";
import { SiteRecoveryManagementClient } from "@azure/arm-recoveryservices-siterecovery";
import type { SimulatedAzure } from "./simulatedAzure.js";

export interface SimulatedClients {
  readonly siteRecovery: SiteRecoveryManagementClient;
  readonly dns: DnsManagementClient;
  readonly privateDns: PrivateDnsManagementClient;
  readonly compute: ComputeManagementClient;
  readonly network: NetworkManagementClient;
}

export interface RetryOptions {
  readonly maxRetries?: number;
  readonly retryDelayInMs?: number;
  readonly maxRetryDelayInMs?: number;
}

/** The real SDK clients, wired to the simulator through their httpClient option. */
export function createSimulatedClients(sim: SimulatedAzure, subscriptionId: string, retryOptions?: RetryOptions): SimulatedClients {
  const options = { httpClient: sim.httpClient, ...(retryOptions ? { retryOptions } : {}) };
  return {
    siteRecovery: new SiteRecoveryManagementClient(sim.credential, subscriptionId, options),
    dns: new DnsManagementClient(sim.credential, subscriptionId, options),
    privateDns: new PrivateDnsManagementClient(sim.credential, subscriptionId, options),
    compute: new ComputeManagementClient(sim.credential, subscriptionId, options),
    network: new NetworkManagementClient(sim.credential, subscriptionId, options),
  };
}
