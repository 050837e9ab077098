import { ComputeManagementClient } from "@azure/arm-compute";
import { DnsManagementClient } from "@azure/arm-dns";
import { PrivateDnsManagementClient } from "@azure/arm-privatedns";
import { SiteRecoveryManagementClient } from "@azure/arm-recoveryservices-siterecovery";
import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { LogsQueryClient } from "@azure/monitor-query-logs";
import { MetricsClient } from "@azure/monitor-query-metrics";
import type { Clock } from "../ports/clock.js";
import type { DnsPort } from "../ports/dns.js";
import type { AsrInventoryPort, MonitorPort, ResourceHealthPort, VmAgentPort } from "../ports/healthReads.js";
import type { ComputeCapacityPort } from "../ports/computeCapacity.js";
import { createAsrInventory } from "./asrInventoryAdapter.js";
import { createComputeCapacity } from "./computeCapacityAdapter.js";
import { createDns } from "./dnsAdapter.js";
import { createMonitor, metricsEndpoint } from "./monitorAdapter.js";
import { createResourceHealth } from "./resourceHealthAdapter.js";
import { createVmAgents } from "./vmAgentAdapter.js";

export interface HealthPortsOptions {
  readonly credential: TokenCredential;
  readonly subscriptionId: string;
  readonly clock: Clock;
  /** Replaces the network layer of every client (the simulated Azure plugs in here); the SDK pipelines stay real. */
  readonly httpClient?: HttpClient;
  readonly retryOptions?: { readonly maxRetries?: number; readonly retryDelayInMs?: number; readonly maxRetryDelayInMs?: number };
}

export interface HealthPorts {
  readonly asr: AsrInventoryPort;
  readonly monitor: MonitorPort;
  readonly vmAgents: VmAgentPort;
  readonly dns: DnsPort;
  /** Resource Health's current status of a resource (ARM REST through the SDKs' pipeline). */
  readonly resourceHealth: ResourceHealthPort;
  /** Target regions' vCPU quotas and VM sizes. */
  readonly capacity: ComputeCapacityPort;
}

/** The real SDK clients the health check reads through: ARM (ASR, compute, DNS), Monitor metrics (per region) and Log Analytics. */
export function createHealthPorts({ credential, subscriptionId, clock, httpClient, retryOptions }: HealthPortsOptions): HealthPorts {
  const options = { ...(httpClient ? { httpClient } : {}), ...(retryOptions ? { retryOptions } : {}) };
  const metricsClients = new Map<string, MetricsClient>();
  const metricsClientFor = (region: string): MetricsClient => {
    const key = region.toLowerCase();
    let client = metricsClients.get(key);
    if (!client) {
      client = new MetricsClient(metricsEndpoint(key), credential, options);
      metricsClients.set(key, client);
    }
    return client;
  };
  const compute = new ComputeManagementClient(credential, subscriptionId, options);
  return {
    asr: createAsrInventory({ client: new SiteRecoveryManagementClient(credential, subscriptionId, options) }),
    monitor: createMonitor({ metricsClientFor, logs: new LogsQueryClient(credential, options), clock }),
    vmAgents: createVmAgents({ client: compute }),
    capacity: createComputeCapacity({ client: compute }),
    resourceHealth: createResourceHealth({ credential, ...options }),
    dns: createDns({
      publicDns: new DnsManagementClient(credential, subscriptionId, options),
      privateDns: new PrivateDnsManagementClient(credential, subscriptionId, options),
    }),
  };
}
