import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient } from "@azure/core-rest-pipeline";
import type { Estate } from "../../shared/domain/estate.js";
import type { Clock } from "../../shared/ports/clock.js";
import type { DirectoryProbePort } from "../../shared/ports/directoryProbe.js";
import type { HealthProbePort } from "../../shared/ports/healthProbe.js";
import { asrRoutes } from "./asrHandlers.js";
import { computeCapacityRoutes, type QuotaLimits } from "./computeCapacity.js";
import { dnsRoutes } from "./dnsHandlers.js";
import { createFaultInjector } from "./faults.js";
import type { HealthFaultPlan } from "./healthFaults.js";
import { healthArmRoutes } from "./healthArmHandlers.js";
import { withHealthOverlay } from "./healthOverlay.js";
import { createHealthWorld } from "./healthWorld.js";
import { discoveryRoutes, type DiscoveryFaultPlan } from "./discoveryHandlers.js";
import { createRbac } from "./rbac.js";
import type { RoleAssignment } from "./rbacAssignments.js";
import { createArmRateLimiter } from "./armRateLimits.js";
import { createSimulatedHttpClient } from "./httpClient.js";
import { ARM_HOST, keyOf } from "./ids.js";
import { createMonitorDataPlane } from "./monitorDataPlane.js";
import { probeDomainController } from "./directory.js";
import { httpGet } from "./reachability.js";
import { nicRoutes } from "./nicHandlers.js";
import { networkRoutes } from "./routeHandlers.js";
import { reprotectRoutes } from "./reprotect.js";
import { createRouter } from "./router.js";
import { computeRoutes } from "./runCommand.js";
import { vnetRoutes, type VnetDnsServersFault } from "./vnetHandlers.js";
import { windowsDnsOf, type AdRecord, type WindowsDnsFaultPlan } from "./windowsDns.js";
import { nextCompletionAt, settle } from "./settle.js";
import { createStats } from "./stats.js";
import { createWorld, findItemByVmName } from "./world.js";
import { restoreWorld, snapshotWorld, type WorldSnapshot } from "./worldSnapshot.js";

/** Simulated durations of the long-running operations. */
export interface JobDurations {
  failoverMs: number;
  testFailoverMs: number;
  commitMs: number;
  testCleanupMs: number;
  runCommandMs: number;
  routeUpdateMs: number;
  /** Reprotect of a failed-over item until its reverse replication is set up (before initial sync). */
  reprotectMs: number;
  /** After a reprotect towards vSphere: until replication back has caught up (InMageRcmFailback initial replication). */
  failbackSyncMs: number;
  /** Added to a (test) failover to ASR's latest point: ASR first processes the pending data into a point. */
  latestPointProcessingMs: number;
}

export const DEFAULT_JOB_DURATIONS: Readonly<JobDurations> = Object.freeze({
  failoverMs: 8 * 60_000,
  testFailoverMs: 8 * 60_000,
  commitMs: 2 * 60_000,
  testCleanupMs: 3 * 60_000,
  runCommandMs: 60_000,
  routeUpdateMs: 20_000,
  reprotectMs: 10 * 60_000,
  failbackSyncMs: 30 * 60_000,
  latestPointProcessingMs: 2 * 60_000,
});

export interface FaultPlan {
  /** Every nth ARM request is answered 429 + Retry-After before any processing. */
  throttleEveryNth?: { n: number; retryAfterSeconds: number };
  /** Every nth request is answered 503 before processing (never the same request twice in a row, so SDK retries succeed). */
  serverErrorEveryNth?: number;
  /** VM names whose first (unplanned or test) failover job ends Failed; the item goes back to Protected so a retry is allowed. */
  failFirstFailoverJobOf?: string[];
  /** VM names whose domainSecureChannel guest check fails. */
  brokenDomainTrust?: string[];
  /** VM names whose databaseReachable guest check fails. */
  databaseUnreachableFrom?: string[];
  /** The target-region DC stops answering LDAP and Kerberos and drops out of the DC locator records. */
  unhealthyTargetDc?: boolean;
  /** Domain controller VM names whose domainController guest check fails (e.g. the drill's DC in the test network). */
  unhealthyDrillDc?: string[];
  /** Multi-VM consistency groups the items replicate in, by VM name (none by default, as recorded). */
  multiVmGroupOf?: Record<string, string>;
  /** VM names whose unplanned failover job ends Succeeded with stateDescription PartiallySucceeded. */
  partiallySucceededFailoverOf?: string[];
  /** VM names whose unplanned failover job is Suspended and stays so. */
  suspendedFailoverOf?: string[];
  /**
   * VM names whose first failover POST is carried out but answered 500 (a gateway failing after the
   * service accepted the request): the answer says nothing about whether the failover started.
   */
  ambiguousFailoverOf?: string[];
  /** Recovered VM name -> the private IP Azure gave its NIC instead of the item's target IP (world.ts nicAddressOf). */
  nicAddressOf?: Record<string, string>;
  /** VM names whose HTTP health probe / httpHealth guest check fails. */
  unhealthyApp?: string[];
  /** VM names whose application does not answer its health probe on vSphere (after a failback). */
  unhealthyOnPremises?: string[];
  /**
   * VM names (estate) whose vSphere VM has no Azure VM agent and whose hydration did not install one:
   * their recovered and test VMs accept Run Command, which fails after a long wait with
   * VMAgentStatusCommunicationError, and their instance view says the agent is Not Ready (runCommand.ts).
   */
  noVmAgent?: string[];
  /** Real-time delay per ARM request. */
  latencyMs?: number;
  /** ARM answers 429 + Retry-After once a subscription token bucket is empty (armRateLimits.ts); off, the buckets are only reported. */
  armThrottling?: boolean;
  /** Conditions the nightly health check must recognise (healthFaults.ts). */
  health?: HealthFaultPlan;
  /** What `estate discover` meets beside the estate's items: a classic vault, items of another scenario (discoveryHandlers.ts). */
  discovery?: DiscoveryFaultPlan;
  /** vCPU quota limits by region and usage name (computeCapacity.ts); the rest keep the simulator's default. */
  vcpuQuota?: QuotaLimits;
  /** The on-premises site is unreachable through ASR: its appliance's agents report Critical (reprotect.ts). */
  onPremisesUnreachable?: boolean;
  /** The domain controllers' DNS Server state: missing conditional forwarders, record TTLs (windowsDns.ts). */
  windowsDns?: WindowsDnsFaultPlan;
  /** VNet name -> its custom DNS servers instead of the target DC's address (vnetHandlers.ts). */
  vnetDnsServers?: VnetDnsServersFault;
  /** VM names whose first failback (planned failover towards vSphere) job ends Failed; the item stays reprotected, so a retry is allowed. */
  failFirstFailbackOf?: string[];
}

export interface SimulatedAzureOptions {
  estate: Estate;
  clock: Clock;
  durations?: Partial<JobDurations>;
  faults?: FaultPlan;
  /** A world saved by `snapshot()` to carry on from (same estate); its clock instant is the caller's to restore. */
  restore?: WorldSnapshot;
  /** The caller's ARM role assignments; by default the roles infra/ deploys for the app's identity (rbacAssignments.ts). */
  roleAssignments?: readonly RoleAssignment[];
}

export interface SimulatedAzure {
  readonly httpClient: HttpClient;
  /** Returns a dummy bearer token; the simulator only checks that one is sent. */
  readonly credential: TokenCredential;
  /** HTTP probes of recovered VMs by URL (http://<recoveryIp>:port/path), as seen from the Function App's VNet. */
  readonly probe: HealthProbePort;
  /** DNS, LDAP and Kerberos of domain controllers, as seen from the Function App's VNet. */
  readonly directory: DirectoryProbePort;
  stats(): { reads: number; writes: number; byOperation: Record<string, number>; failoverCalls: Record<string, number> };
  readonly misuse: readonly string[];
  protectedItem(vmName: string): { protectionState: string; activeLocation: string; testFailoverState: string; allowedOperations: string[] };
  dnsRecord(zoneType: "public" | "private", zone: string, name: string): { addresses: string[]; ttl: number; etag: string } | undefined;
  route(routeTable: string, route: string): { addressPrefix: string; nextHopType: string; nextHopIpAddress: string } | undefined;
  /** Points a route elsewhere as a person in the portal would: a new value and a new etag. */
  editRoute(routeTable: string, route: string, nextHopIpAddress: string): void;
  /** Changes an A record set's addresses as a person in the portal would: a new etag. */
  editDnsRecord(zoneType: "public" | "private", zone: string, name: string, addresses: readonly string[]): void;
  /** The A records of a name in the DCs' AD-integrated DNS (windowsDns.ts); `edit` changes them as a person on a DC would. */
  readonly activeDirectoryDns: {
    record(zone: string, name: string): AdRecord | undefined;
    edit(zone: string, name: string, value: AdRecord | undefined): void;
    /** Names written by Run Command scripts, in order. */
    writes(): readonly string[];
  };
  /** VMs currently existing in Azure: the target DC, recovered VMs and test-failover VMs ("<name>-test"). */
  existingVmNames(): string[];
  /** The earliest simulated time at which some job/operation in progress finishes (undefined when none): lets a discrete-event driver skip idle time. */
  nextCompletionAt(): Date | undefined;
  /** The world, the health world's start and the counters as JSON, at the clock's current time. */
  snapshot(): WorldSnapshot;
}

const DUMMY_TOKEN_EXPIRY = Date.UTC(9999, 0, 1);

export function createSimulatedAzure(options: SimulatedAzureOptions): SimulatedAzure {
  const { estate, clock } = options;
  const faults = options.faults ?? {};
  const world = createWorld(estate, { ...DEFAULT_JOB_DURATIONS, ...options.durations }, faults);
  const stats = createStats(options.restore?.stats);
  const misuse: string[] = [];
  const healthStart = options.restore ? new Date(options.restore.healthStart) : clock.now();
  const health = createHealthWorld(world, faults.health ?? {}, healthStart);
  // After the health world, whose DNS TTL faults the saved records already carry.
  if (options.restore) restoreWorld(world, options.restore);
  const router = createRouter([
    ...asrRoutes(world, stats),
    ...dnsRoutes(world),
    ...computeRoutes(world),
    ...networkRoutes(world),
    ...nicRoutes(world),
    ...healthArmRoutes(world, health),
    ...reprotectRoutes(world),
    ...discoveryRoutes(world),
    ...computeCapacityRoutes(world, faults.vcpuQuota),
    ...vnetRoutes(world, faults.vnetDnsServers),
  ]);
  const arm = withHealthOverlay(
    createSimulatedHttpClient({
      world,
      router,
      clock,
      stats,
      faults: createFaultInjector(faults),
      latencyMs: faults.latencyMs ?? 0,
      misuse,
      rateLimits: createArmRateLimiter(faults.armThrottling === true),
      ...(options.roleAssignments ? { rbac: createRbac(options.roleAssignments, estate.subscriptionId) } : {}),
    }),
    { world, health, clock, stats },
  );
  const monitor = createMonitorDataPlane({ world, health, clock, stats, misuse });
  // ARM by its host, global or regional (ASR's 202 headers name https://<region>.management.azure.com, recorded);
  // Monitor metrics (<region>.metrics.monitor.azure.com) and Log Analytics (api.loganalytics.io) are not ARM.
  const armHost = new URL(ARM_HOST).hostname;
  const isArm = (host: string): boolean => host === armHost || host.endsWith(`.${armHost}`);
  const httpClient: HttpClient = { sendRequest: (request) => (isArm(new URL(request.url).hostname.toLowerCase()) ? arm : monitor).sendRequest(request) };
  // Inspection sees the world at the clock's current time, like a request would.
  const settled = () => {
    settle(world, clock.now());
    return world;
  };
  return {
    httpClient,
    credential: { getToken: () => Promise.resolve({ token: "simulated-azure-token", expiresOnTimestamp: DUMMY_TOKEN_EXPIRY, tokenType: "Bearer" }) },
    probe: { probe: (url) => Promise.resolve(httpGet(settled(), url)) },
    directory: { probeDomainController: (target) => Promise.resolve(probeDomainController(settled(), target)) },
    stats: () => stats.snapshot(),
    misuse,
    protectedItem(vmName) {
      const item = findItemByVmName(settled(), vmName);
      if (!item) throw new Error(`No protected item for VM '${vmName}' in the simulated estate`);
      return {
        protectionState: item.protectionState,
        activeLocation: item.activeLocation,
        testFailoverState: item.testFailoverState,
        allowedOperations: [...item.allowedOperations],
      };
    },
    dnsRecord(zoneType, zone, name) {
      const record = [...settled().dns.values()].find((r) => keyOf(r.zoneType, r.zone, r.name) === keyOf(zoneType, zone, name));
      return record ? { addresses: [...record.addresses], ttl: record.ttl, etag: record.etag } : undefined;
    },
    route(routeTable, route) {
      const found = [...settled().routes.values()].find((r) => keyOf(r.routeTable, r.name) === keyOf(routeTable, route));
      return found ? { addressPrefix: found.addressPrefix, nextHopType: found.nextHopType, nextHopIpAddress: found.nextHopIpAddress ?? "" } : undefined;
    },
    editRoute(routeTable, route, nextHopIpAddress) {
      const found = [...settled().routes.values()].find((r) => keyOf(r.routeTable, r.name) === keyOf(routeTable, route));
      if (!found) throw new Error(`no route ${routeTable}/${route} to edit`);
      Object.assign(found, { nextHopType: "VirtualAppliance", nextHopIpAddress, etag: `W/"${world.ids.uuid("route-etag")}"` });
    },
    editDnsRecord(zoneType, zone, name, addresses) {
      const record = [...settled().dns.values()].find((r) => keyOf(r.zoneType, r.zone, r.name) === keyOf(zoneType, zone, name));
      if (!record) throw new Error(`no record set ${name}.${zone} to edit`);
      Object.assign(record, { addresses: [...addresses], etag: world.ids.uuid("dns-etag") });
    },
    activeDirectoryDns: {
      record: (zone, name) => {
        const held = windowsDnsOf(settled()).records.get(keyOf(zone, name));
        return held ? { addresses: [...held.addresses], ttl: held.ttl } : undefined;
      },
      edit: (zone, name, value) => {
        const records = windowsDnsOf(settled()).records;
        if (value) records.set(keyOf(zone, name), { addresses: [...value.addresses], ttl: value.ttl });
        else records.delete(keyOf(zone, name));
      },
      writes: () => [...windowsDnsOf(settled()).writes],
    },
    existingVmNames: () => [...settled().vms.values()].map((vm) => vm.name),
    nextCompletionAt: () => nextCompletionAt(settled()),
    snapshot: () => {
      const now = clock.now();
      settle(world, now);
      return snapshotWorld(world, { clock: now, healthStart, stats: stats.snapshot() });
    },
  };
}
