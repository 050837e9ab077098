import { ComputeManagementClient } from "@azure/arm-compute";
import { DnsManagementClient } from "@azure/arm-dns";
import { NetworkManagementClient } from "@azure/arm-network";
import { PrivateDnsManagementClient } from "@azure/arm-privatedns";
import { SiteRecoveryManagementClient } from "@azure/arm-recoveryservices-siterecovery";
import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient } from "@azure/core-rest-pipeline";
import type { ArmBudgetPort } from "../ports/armBudget.js";
import type { Clock } from "../ports/clock.js";
import type { DnsPort } from "../ports/dns.js";
import type { GuestCommandPort } from "../ports/guestCommands.js";
import type { NicPort } from "../ports/nics.js";
import type { RoutePort } from "../ports/routes.js";
import type { SiteRecoveryPort } from "../ports/siteRecovery.js";
import { createArmBudget } from "./armBudget.js";
import { createDns } from "./dnsAdapter.js";
import { createGuestCommands } from "./guestCommandAdapter.js";
import { createNics } from "./nicAdapter.js";
import { createRoutes } from "./routeAdapter.js";
import { createSiteRecovery } from "./siteRecoveryAdapter.js";

export interface AzurePortsOptions {
  readonly credential: TokenCredential;
  readonly subscriptionId: string;
  /** Replaces the network layer (the simulated Azure plugs in here); the SDK pipeline stays real. */
  readonly httpClient?: HttpClient;
  /** SDK retry tuning; the policies themselves (Retry-After on 429, backoff on 5xx) stay on. */
  readonly retryOptions?: { readonly maxRetries?: number; readonly retryDelayInMs?: number; readonly maxRetryDelayInMs?: number };
  /** The time the ARM budget's refill is reckoned in (default: the system clock). */
  readonly clock?: Clock;
}

export interface AzurePorts {
  readonly siteRecovery: SiteRecoveryPort;
  readonly dns: DnsPort;
  readonly guest: GuestCommandPort;
  readonly routes: RoutePort;
  readonly nics: NicPort;
  /** What ARM reported of the subscription's request budget, as every client above saw it. */
  readonly armBudget: ArmBudgetPort;
}

/** Builds the real ARM SDK clients once and wraps each in its port. */
export function createAzurePorts({ credential, subscriptionId, httpClient, retryOptions, clock }: AzurePortsOptions): AzurePorts {
  const options = { ...(httpClient ? { httpClient } : {}), ...(retryOptions ? { retryOptions } : {}) };
  const budget = createArmBudget(clock ?? { now: () => new Date() });
  // Inside the retry policy: every attempt counts against the budget and reports what is left.
  const counted = <T extends { pipeline: { addPolicy(policy: typeof budget.policy, options?: { afterPhase?: "Retry" }): void } }>(client: T): T => {
    client.pipeline.addPolicy(budget.policy, { afterPhase: "Retry" });
    return client;
  };
  const compute = counted(new ComputeManagementClient(credential, subscriptionId, options));
  const network = counted(new NetworkManagementClient(credential, subscriptionId, options));
  return {
    siteRecovery: createSiteRecovery({
      client: counted(new SiteRecoveryManagementClient(credential, subscriptionId, options)),
      actions: counted(new SiteRecoveryManagementClient(credential, subscriptionId, { ...options, retryOptions: { maxRetries: 0 } })),
    }),
    dns: createDns({
      publicDns: counted(new DnsManagementClient(credential, subscriptionId, options)),
      privateDns: counted(new PrivateDnsManagementClient(credential, subscriptionId, options)),
    }),
    guest: createGuestCommands({ client: compute }),
    routes: createRoutes({ client: network }),
    nics: createNics({ compute, network }),
    armBudget: budget.port,
  };
}
