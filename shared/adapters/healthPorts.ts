import { ComputeManagementClient } from "@azure/arm-compute";
import { DnsManagementClient } from "@azure/arm-dns";
import { NetworkManagementClient } from "@azure/arm-network";
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
import type { GuestCommandPort } from "../ports/guestCommands.js";
import type { NicPort } from "../ports/nics.js";
import type { RoutePort } from "../ports/routes.js";
import type { VnetPort } from "../ports/vnets.js";
import { realPause, type Pause } from "../health/readDomainControllerDns.js";
import { createGuestCommands } from "./guestCommandAdapter.js";
import { createNics } from "./nicAdapter.js";
import { createRoutes } from "./routeAdapter.js";
import { createVnets } from "./vnetAdapter.js";

export interface HealthPortsOptions {
  readonly credential: TokenCredential;
  readonly subscriptionId: string;
  readonly clock: Clock;
  /** Replaces the network layer of every client (the simulated Azure plugs in here); the SDK pipelines stay real. */
  readonly httpClient?: HttpClient;
  readonly retryOptions?: { readonly maxRetries?: number; readonly retryDelayInMs?: number; readonly maxRetryDelayInMs?: number };
  /** How reads that follow a Run Command wait between polls (a local host moves its simulated clock); default: real time. */
  readonly pause?: Pause;
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
  /** Run Command on the target DC (a read-only DNS script), and how its polls wait. */
  readonly guest: GuestCommandPort;
  readonly pause: Pause;
  /** The recovery VNets' DNS servers, the routes and the recovered NAT NICs they point at. */
  readonly vnets: VnetPort;
  readonly routes: RoutePort;
  readonly nics: NicPort;
}

/** The real SDK clients the health check reads through: ARM (ASR, compute, DNS), Monitor metrics (per region) and Log Analytics. */
export function createHealthPorts({ credential, subscriptionId, clock, httpClient, retryOptions, pause }: HealthPortsOptions): HealthPorts {
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
  const network = new NetworkManagementClient(credential, subscriptionId, options);
  return {
    guest: createGuestCommands({ client: compute }),
    pause: pause ?? realPause,
    vnets: createVnets({ client: network }),
    routes: createRoutes({ client: network }),
    nics: createNics({ compute, network }),
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
