import type { Estate } from "../domain/estate.js";
import {
  dnsRecordKey,
  readFailed,
  readOk,
  type CircuitAvailability,
  type DnsRecordState,
  type HealthSnapshot,
  type NotificationChannelState,
  type Read,
  type RecoveryPointSummary,
  type RegionCapacity,
  type VaultSnapshot,
  type VmAgentState,
} from "../domain/health/healthSnapshot.js";
import { locateItem } from "../domain/health/inventory.js";
import type { Clock } from "../ports/clock.js";
import type { DnsPort } from "../ports/dns.js";
import { isDrError } from "../ports/errors.js";
import type { ComputeCapacityPort } from "../ports/computeCapacity.js";
import type { AsrInventoryPort, MonitorPort, RunHistoryPort, VmAgentPort } from "../ports/healthReads.js";
import type { GuestCommandPort } from "../ports/guestCommands.js";
import type { NicPort } from "../ports/nics.js";
import type { RoutePort } from "../ports/routes.js";
import type { VnetPort } from "../ports/vnets.js";
import { readDomainControllerDns, realPause, type Pause } from "./readDomainControllerDns.js";
import { readNetworkSnapshot } from "./readNetworkSnapshot.js";

/** What the health check reads through. Only reads: the health check never changes anything in Azure. */
export interface HealthReaders {
  readonly asr: AsrInventoryPort;
  readonly monitor: MonitorPort;
  readonly vmAgents: VmAgentPort;
  readonly dns: DnsPort;
  /** Target regions' vCPU quotas and VM sizes (a full failover must fit); absent when not wired. */
  readonly capacity?: ComputeCapacityPort;
  /** The product's own run history (drills prove Run Command in recovered VMs); absent when not wired. */
  readonly runHistory?: RunHistoryPort;
  /** The notification channels' state (the notification service tracks it); absent when not wired. */
  readonly notificationChannels?: () => Promise<readonly NotificationChannelState[]>;
  /** Run Command on the target DC: its DNS server's AD records and forwarders (a read-only script); absent when not wired. */
  readonly guest?: GuestCommandPort;
  /** How the DC read waits between polls of its Run Command (default: real time). */
  readonly pause?: Pause;
  /** The recovery VNets' DNS servers; absent when not wired. */
  readonly vnets?: VnetPort;
  /** The estate's routes, and the NICs of recovered NAT/firewall VMs they must point at; absent when not wired. */
  readonly routes?: RoutePort;
  readonly nics?: NicPort;
}

export interface HealthReadLimits {
  /** The whole read phase; what has not answered by then is reported as could not check. */
  readonly budgetMs: number;
  /** One read (one call, with the SDK's own retries inside it). */
  readonly perReadTimeoutMs: number;
  /** Recovery point lists (one per VM) in flight at once. */
  readonly concurrency: number;
  readonly metricsWindowMinutes: number;
  readonly heartbeatWindowHours: number;
  /** Drills and failovers whose in-guest check steps are read (one step list each). */
  readonly recentRuns: number;
}

export const DEFAULT_READ_LIMITS: HealthReadLimits = Object.freeze({
  budgetMs: 4 * 60_000,
  perReadTimeoutMs: 45_000,
  concurrency: 16,
  metricsWindowMinutes: 60,
  heartbeatWindowHours: 24,
  recentRuns: 20,
});

/**
 * Reads everything the rules need, each read isolated: a read that is throttled, forbidden, fails or
 * times out becomes `{ ok: false, reason }` for the checks that needed it, and every other read goes
 * on. Phase 1 lists per vault (items, recovery plans, policies) and reads the estate-wide sources;
 * phase 2 lists the recovery points of each item found, and the VM agent of recovered VMs.
 */
export async function readHealthSnapshot(
  estate: Estate,
  readers: HealthReaders,
  clock: Clock,
  limits: HealthReadLimits = DEFAULT_READ_LIMITS,
): Promise<HealthSnapshot> {
  const budget = new AbortController();
  const timer = setTimeout(() => budget.abort(), limits.budgetMs);
  timer.unref?.();
  const read = <T>(what: (signal: AbortSignal) => Promise<T>): Promise<Read<T>> => isolate(what, budget.signal, limits);
  try {
    const vaultEntries = Object.entries(estate.vaults);
    const settings = estate.healthCheck;
    const asrLogsWorkspaceId = settings?.asrLogsWorkspaceId;
    const runHistory = readers.runHistory;
    const capacityReader = readers.capacity;
    const regions = [...new Set(vaultEntries.map(([, vault]) => vault.region.toLowerCase()))];
    const [vaults, circuits, targetDcHeartbeat, dns, dcAgent, notificationChannels, asrLogCoverage, recentRuns, capacity] = await Promise.all([
      Promise.all(
        vaultEntries.map(async ([key, vault]): Promise<[string, VaultSnapshot]> => {
          const [items, recoveryPlans, policies] = await Promise.all([
            read((signal) => readers.asr.listProtectedItems(vault, { signal })),
            read((signal) => readers.asr.listRecoveryPlans(vault, { signal })),
            read((signal) => readers.asr.listPolicies(vault, { signal })),
          ]);
          return [key, { items, recoveryPlans, policies }];
        }),
      ),
      readCircuits(estate, readers, limits, read),
      settings
        ? read((signal) =>
            readers.monitor.lastHeartbeat(settings.logAnalyticsWorkspaceId, estate.targetDomainController.vmId, limits.heartbeatWindowHours, { signal }),
          )
        : Promise.resolve(undefined),
      Promise.all(
        estate.dns.map(async (record): Promise<[string, Read<DnsRecordState | null>]> => [
          dnsRecordKey(record),
          await read(async () => {
            const set = await readers.dns.getARecordSet(record);
            return set ? { addresses: set.addresses, ttl: set.ttl } : null;
          }),
        ]),
      ),
      read((signal) => readers.vmAgents.agentState(estate.targetDomainController.vmId, { signal })),
      readers.notificationChannels
        ? read(() => (readers.notificationChannels as () => Promise<readonly NotificationChannelState[]>)())
        : Promise.resolve(undefined),
      // The RPO alert rule's own source: whether the vaults' rows reach its workspace at all.
      asrLogsWorkspaceId
        ? read((signal) => readers.monitor.asrLogCoverage(asrLogsWorkspaceId, limits.heartbeatWindowHours, { signal }))
        : Promise.resolve(undefined),
      runHistory ? read((signal) => runHistory.recentGuestChecks(limits.recentRuns, { signal })) : Promise.resolve(undefined),
      // One quota list and one SKU list per target region.
      capacityReader
        ? Promise.all(
            regions.map(async (region): Promise<[string, Read<RegionCapacity>]> => [
              region,
              await read((signal) => capacityReader.regionCapacity(region, { signal })),
            ]),
          )
        : Promise.resolve(undefined),
    ]);
    const partial: HealthSnapshot = {
      takenAt: clock.now(),
      vaults: Object.fromEntries(vaults),
      recoveryPoints: {},
      circuits,
      targetDcHeartbeat,
      dns: Object.fromEntries(dns),
      vmAgents: { [estate.targetDomainController.vmId.toLowerCase()]: dcAgent },
      ...(notificationChannels ? { notificationChannels } : {}),
      ...(asrLogCoverage ? { asrLogCoverage } : {}),
      ...(recentRuns ? { recentRuns } : {}),
      ...(capacity ? { capacity: Object.fromEntries(capacity) } : {}),
    };

    // Phase 2: per item found (wherever it was found), its recovery points; per recovered VM of a tier with in-guest checks, its agent.
    const located = estate.vms.map((vm) => ({ vm, at: locateItem(estate, vm, partial) }));
    const withItems = located.flatMap(({ vm, at }) => (at.kind === "found" || at.kind === "moved" ? [{ vm, item: at.item }] : []));
    const guestTiers = new Set(estate.tiers.filter((t) => t.guestChecks.length > 0).map((t) => t.name));
    const recovered = withItems.filter(({ vm, item }) => guestTiers.has(vm.tier) && item.activeLocation === "Recovery");
    const [points, agents] = await Promise.all([
      mapLimit(withItems, limits.concurrency, async ({ vm, item }): Promise<[string, Read<RecoveryPointSummary>]> => [
        vm.name,
        await read((signal) => readers.asr.summariseRecoveryPoints(item.id, { signal })),
      ]),
      mapLimit(recovered, limits.concurrency, async ({ vm }): Promise<[string, Read<VmAgentState>]> => [
        vm.recoveryVmId.toLowerCase(),
        await read((signal) => readers.vmAgents.agentState(vm.recoveryVmId, { signal })),
      ]),
    ]);
    const takenAt = clock.now();
    // Last, and after the time the rules judge by: the DC's Run Command takes about a minute, timeless for these checks.
    const network = await readNetworkSnapshot(estate, readers, read, partial, (request, signal) =>
      readDomainControllerDns(
        { guest: readers.guest as GuestCommandPort, pause: readers.pause ?? realPause },
        estate.targetDomainController.vmId,
        request,
        signal,
      ),
    );
    return {
      ...partial,
      ...network,
      takenAt,
      recoveryPoints: Object.fromEntries(points),
      vmAgents: { ...partial.vmAgents, ...Object.fromEntries(agents) },
    };
  } finally {
    clearTimeout(timer);
  }
}

async function readCircuits(
  estate: Estate,
  readers: HealthReaders,
  limits: HealthReadLimits,
  read: <T>(what: (signal: AbortSignal) => Promise<T>) => Promise<Read<T>>,
): Promise<Record<string, Read<CircuitAvailability>>> {
  const regions = estate.healthCheck?.circuitRegions ?? {};
  const regionOf = new Map(Object.entries(regions).map(([id, region]) => [id.toLowerCase(), region.toLowerCase()]));
  const byRegion = new Map<string, string[]>();
  for (const circuit of estate.alerting.expressRouteCircuits) {
    const region = regionOf.get(circuit.id.toLowerCase());
    if (!region) continue; // reported by the rule as not read
    byRegion.set(region, [...(byRegion.get(region) ?? []), circuit.id]);
  }
  const result: Record<string, Read<CircuitAvailability>> = {};
  await Promise.all(
    [...byRegion.entries()].map(async ([region, ids]) => {
      const batch = await read((signal) => readers.monitor.circuitAvailability(region, ids, limits.metricsWindowMinutes, { signal }));
      for (const id of ids) {
        const key = id.toLowerCase();
        if (!batch.ok) result[key] = batch;
        else result[key] = batch.value.has(key) ? readOk(batch.value.get(key) as CircuitAvailability) : readFailed(`Monitor returned no metrics for ${id}`);
      }
    }),
  );
  return result;
}

/** Runs one read with its own timeout and the check's budget; its failure becomes a reason, never an exception. */
async function isolate<T>(what: (signal: AbortSignal) => Promise<T>, budget: AbortSignal, limits: HealthReadLimits): Promise<Read<T>> {
  if (budget.aborted) return readFailed(`not read: the health check's ${seconds(limits.budgetMs)} budget ran out first`);
  const own = AbortSignal.timeout(limits.perReadTimeoutMs);
  const signal = AbortSignal.any([budget, own]);
  try {
    return readOk(await untilAborted(what(signal), signal));
  } catch (error) {
    if (own.aborted) return readFailed(`timed out after ${seconds(limits.perReadTimeoutMs)}`);
    if (budget.aborted) return readFailed(`timed out: the health check's ${seconds(limits.budgetMs)} budget ran out`);
    return readFailed(describeFailure(error));
  }
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms / 1000)} s`;
}

/** Some SDK calls ignore an abort signal; the read still ends when the signal fires. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error("aborted"));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function describeFailure(error: unknown): string {
  if (isDrError(error)) {
    const detail = error.message.length > 300 ? `${error.message.slice(0, 300)}...` : error.message;
    switch (error.code) {
      case "Throttled":
        return `throttled by Azure (HTTP 429), still throttled after the SDK's retries: ${detail}`;
      case "Unauthorized":
        return `forbidden: the Function App's identity lacks read access (${detail})`;
      case "NotFound":
        return `not found: ${detail}`;
      case "Transient":
        return `Azure answered with a server error after retries: ${detail}`;
      default:
        return detail;
    }
  }
  return error instanceof Error ? error.message : String(error);
}

/** Maps with at most `limit` calls in flight, keeping the input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, () => worker()));
  return results;
}
