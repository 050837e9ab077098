import type { Vm } from "../../shared/domain/estate.js";
import type { StatsSnapshot } from "./stats.js";
import { restoreWindowsDns, snapshotWindowsDns, type SavedWindowsDns } from "./windowsDns.js";
import {
  vmKey,
  type AsrJob,
  type CurrentScenario,
  type DnsRecordSet,
  type NicOperation,
  type ProtectedItem,
  type RouteOperation,
  type RunCommandOperation,
  type SimNic,
  type SimRoute,
  type SimVm,
  type World,
} from "./world.js";

/**
 * The simulated Azure world as JSON, so a sandbox restarted on the same state directory finds Azure as
 * it left it: items in their protection states, jobs and operations still running by their simulated
 * times, VMs, NICs, DNS records and routes as the last writes left them. Object references become keys
 * (an item's key, a VM's vmKey, a route's key); estate VMs are named, and must still be in the estate.
 * Not kept: the fault injector's request counters (throttleEveryNth, serverErrorEveryNth start over).
 */
export interface WorldSnapshot {
  readonly version: 1;
  readonly estate: string;
  /** The simulated clock when the snapshot was taken: a restored sandbox's clock starts here. */
  readonly clock: string;
  /** The instant the health world's conditions are measured from (healthWorld.ts `start`). */
  readonly healthStart: string;
  readonly idsIssued: number;
  readonly lastSeq: number;
  readonly stats: StatsSnapshot;
  readonly items: readonly SavedItem[];
  readonly jobs: readonly SavedJob[];
  readonly vms: readonly SavedVm[];
  readonly nics: readonly (readonly [string, SavedNic])[];
  /** vmKeys of the NICs whose IP forwarding is in effect in the data plane. */
  readonly forwardingNics: readonly string[];
  readonly dnsZones: readonly string[];
  readonly dns: readonly (readonly [string, SavedDns])[];
  readonly routeTables: readonly (readonly [string, { readonly location: string }])[];
  readonly routes: readonly (readonly [string, SavedRoute])[];
  readonly routeOps: readonly SavedRouteOperation[];
  readonly nicOps: readonly SavedNicOperation[];
  readonly runCommands: readonly SavedRunCommand[];
  /** The DCs' DNS server state (windowsDns.ts); absent in snapshots taken before it existed. */
  readonly windowsDns?: SavedWindowsDns;
}

type Dated<T, K extends keyof T> = Omit<T, K> & { readonly [P in K]: string | undefined };
type SavedScenario = Dated<CurrentScenario, "startTime">;
type SavedItem = { readonly key: string } & Omit<
  Dated<Pick<ProtectedItem, MutableItemField>, "lastSuccessfulFailoverTime" | "lastSuccessfulTestFailoverTime" | "replicationFrozenAt">,
  "currentScenario"
> & { readonly currentScenario: SavedScenario };
type SavedJob = Omit<Dated<AsrJob, "endTime">, "item" | "startTime" | "endsAt"> & {
  readonly item: string;
  readonly startTime: string;
  readonly endsAt: string;
};
type SavedVm = Omit<SimVm, "source"> & { readonly source: string | undefined };
type SavedNic = Omit<SimNic, "vm"> & { readonly vm: string };
type SavedDns = DnsRecordSet;
type SavedRoute = SimRoute;
type SavedRouteOperation = Omit<RouteOperation, "route" | "endsAt" | "startTime"> & {
  readonly route: string;
  readonly endsAt: string;
  readonly startTime: string;
};
type SavedNicOperation = Omit<NicOperation, "nic" | "endsAt"> & { readonly nic: string; readonly endsAt: string };
type SavedRunCommand = Omit<RunCommandOperation, "vm" | "endsAt"> & { readonly vm: string; readonly endsAt: string };

/** What handlers change on an item (the rest comes from the estate, seeded the same way each time). */
type MutableItemField =
  | "protectionState"
  | "protectionStateDescription"
  | "activeLocation"
  | "testFailoverState"
  | "testFailoverStateDescription"
  | "allowedOperations"
  | "replicationHealth"
  | "currentScenario"
  | "failoverRecoveryPointId"
  | "lastSuccessfulFailoverTime"
  | "lastSuccessfulTestFailoverTime"
  | "replicationFrozenAt"
  | "failoverJobsStarted"
  | "reprotected"
  | "failback"
  | "ambiguousAnswered";

const iso = (date: Date | undefined): string | undefined => date?.toISOString();
const date = (text: string | undefined): Date | undefined => (text === undefined ? undefined : new Date(text));
const required = (text: string): Date => new Date(text);

export function snapshotWorld(world: World, context: { readonly clock: Date; readonly healthStart: Date; readonly stats: StatsSnapshot }): WorldSnapshot {
  const nicKey = new Map<SimNic, string>([...world.nics.entries()].map(([key, nic]) => [nic, key]));
  const keyOfNic = (nic: SimNic): string => nicKey.get(nic) ?? vmKey(nic.vm.resourceGroup, nic.vm.name);
  return {
    version: 1,
    estate: world.estate.name,
    clock: context.clock.toISOString(),
    healthStart: context.healthStart.toISOString(),
    idsIssued: world.ids.issued(),
    lastSeq: world.lastSeq(),
    stats: context.stats,
    items: [...world.items.values()].map((item) => ({
      key: item.key,
      protectionState: item.protectionState,
      protectionStateDescription: item.protectionStateDescription,
      activeLocation: item.activeLocation,
      testFailoverState: item.testFailoverState,
      testFailoverStateDescription: item.testFailoverStateDescription,
      allowedOperations: [...item.allowedOperations],
      replicationHealth: item.replicationHealth,
      currentScenario: { ...item.currentScenario, startTime: iso(item.currentScenario.startTime) },
      failoverRecoveryPointId: item.failoverRecoveryPointId,
      lastSuccessfulFailoverTime: iso(item.lastSuccessfulFailoverTime),
      lastSuccessfulTestFailoverTime: iso(item.lastSuccessfulTestFailoverTime),
      replicationFrozenAt: iso(item.replicationFrozenAt),
      failoverJobsStarted: item.failoverJobsStarted,
      ...(item.reprotected !== undefined ? { reprotected: item.reprotected } : {}),
      ...(item.failback !== undefined ? { failback: { ...item.failback } } : {}),
      ...(item.ambiguousAnswered !== undefined ? { ambiguousAnswered: item.ambiguousAnswered } : {}),
    })),
    jobs: [...world.jobs.values()].map((job) => ({
      ...job,
      item: job.item.key,
      startTime: job.startTime.toISOString(),
      endsAt: job.endsAt.toISOString(),
      endTime: iso(job.endTime),
    })),
    vms: [...world.vms.values()].map((vm) => ({ ...vm, source: vm.source?.name })),
    nics: [...world.nics.entries()].map(([key, nic]) => [key, { ...nic, vm: vmKey(nic.vm.resourceGroup, nic.vm.name) }] as const),
    forwardingNics: [...world.forwardingNics].map(keyOfNic),
    dnsZones: [...world.dnsZones],
    dns: [...world.dns.entries()].map(([key, record]) => [key, { ...record, addresses: [...record.addresses] }] as const),
    routeTables: [...world.routeTables.entries()],
    routes: [...world.routes.entries()].map(([key, route]) => [key, { ...route }] as const),
    // A finished delete's route is gone: its operation is not kept (a poll of it after a restart answers 404).
    routeOps: [...world.routeOps.values()]
      .filter((op) => [...world.routes.values()].includes(op.route))
      .map((op) => ({
        ...op,
        route: routeKeyOf(world, op.route),
        endsAt: op.endsAt.toISOString(),
        startTime: op.startTime.toISOString(),
      })),
    nicOps: [...world.nicOps.values()].map((op) => ({ ...op, nic: keyOfNic(op.nic), endsAt: op.endsAt.toISOString() })),
    runCommands: [...world.runCommands.values()].map((op) => ({
      ...op,
      vm: vmKey(op.vm.resourceGroup, op.vm.name),
      script: [...op.script],
      endsAt: op.endsAt.toISOString(),
    })),
    windowsDns: snapshotWindowsDns(world),
  };
}

/**
 * Puts a snapshot's state into a world freshly created from the same estate (createWorld), replacing
 * what seeding put there. Throws, naming what is missing, when the snapshot is of another estate.
 */
export function restoreWorld(world: World, snapshot: WorldSnapshot): void {
  if (snapshot.version !== 1) throw new Error(`simulated Azure state version ${String(snapshot.version)} is not one this sandbox reads (1)`);
  if (snapshot.estate !== world.estate.name)
    throw new Error(`the simulated Azure state is of estate '${snapshot.estate}', not '${world.estate.name}': use another --state directory`);
  const estateVm = (name: string): Vm => {
    const vm = world.estate.vms.find((v) => v.name === name);
    if (!vm) throw new Error(`the simulated Azure state names VM '${name}', which is not in the estate: use another --state directory`);
    return vm;
  };
  const lookup = <T>(map: ReadonlyMap<string, T>, key: string, what: string): T => {
    const found = map.get(key);
    if (found === undefined) throw new Error(`the simulated Azure state refers to ${what} '${key}', which it does not hold`);
    return found;
  };

  for (const saved of snapshot.items) {
    const item = lookup(world.items, saved.key, "protected item");
    item.protectionState = saved.protectionState;
    item.protectionStateDescription = saved.protectionStateDescription;
    item.activeLocation = saved.activeLocation;
    item.testFailoverState = saved.testFailoverState;
    item.testFailoverStateDescription = saved.testFailoverStateDescription;
    item.allowedOperations = [...saved.allowedOperations];
    item.replicationHealth = saved.replicationHealth;
    item.currentScenario = { ...saved.currentScenario, startTime: date(saved.currentScenario.startTime) };
    item.failoverRecoveryPointId = saved.failoverRecoveryPointId;
    item.lastSuccessfulFailoverTime = date(saved.lastSuccessfulFailoverTime);
    item.lastSuccessfulTestFailoverTime = date(saved.lastSuccessfulTestFailoverTime);
    item.replicationFrozenAt = date(saved.replicationFrozenAt);
    item.failoverJobsStarted = saved.failoverJobsStarted;
    if (saved.reprotected !== undefined) item.reprotected = saved.reprotected;
    if (saved.failback !== undefined) item.failback = { ...saved.failback };
    if (saved.ambiguousAnswered !== undefined) item.ambiguousAnswered = saved.ambiguousAnswered;
  }

  world.vms.clear();
  for (const saved of snapshot.vms)
    world.vms.set(vmKey(saved.resourceGroup, saved.name), { ...saved, source: saved.source === undefined ? undefined : estateVm(saved.source) });
  world.nics.clear();
  for (const [key, saved] of snapshot.nics) world.nics.set(key, { ...saved, vm: lookup(world.vms, saved.vm, "VM") });
  world.forwardingNics.clear();
  for (const key of snapshot.forwardingNics) world.forwardingNics.add(lookup(world.nics, key, "NIC"));
  world.dnsZones.clear();
  for (const zone of snapshot.dnsZones) world.dnsZones.add(zone);
  world.dns.clear();
  for (const [key, saved] of snapshot.dns) world.dns.set(key, { ...saved, addresses: [...saved.addresses] });
  world.routeTables.clear();
  for (const [key, table] of snapshot.routeTables) world.routeTables.set(key, { ...table });
  world.routes.clear();
  for (const [key, saved] of snapshot.routes) world.routes.set(key, { ...saved });

  world.jobs.clear();
  for (const saved of snapshot.jobs) {
    world.jobs.set(saved.name.toLowerCase(), {
      ...saved,
      item: lookup(world.items, saved.item, "protected item"),
      startTime: required(saved.startTime),
      endsAt: required(saved.endsAt),
      endTime: date(saved.endTime),
    });
  }
  world.routeOps.clear();
  for (const saved of snapshot.routeOps)
    world.routeOps.set(saved.name.toLowerCase(), {
      ...saved,
      route: lookup(world.routes, saved.route, "route"),
      endsAt: required(saved.endsAt),
      startTime: required(saved.startTime),
    });
  world.nicOps.clear();
  for (const saved of snapshot.nicOps)
    world.nicOps.set(saved.name.toLowerCase(), { ...saved, nic: lookup(world.nics, saved.nic, "NIC"), endsAt: required(saved.endsAt) });
  world.runCommands.clear();
  for (const saved of snapshot.runCommands)
    world.runCommands.set(saved.name.toLowerCase(), {
      ...saved,
      vm: lookup(world.vms, saved.vm, "VM"),
      script: [...saved.script],
      endsAt: required(saved.endsAt),
    });

  if (snapshot.windowsDns) restoreWindowsDns(world, snapshot.windowsDns);
  world.ids.resumeAfter(snapshot.idsIssued);
  world.resumeSeqAfter(snapshot.lastSeq);
}

function routeKeyOf(world: World, route: SimRoute): string {
  for (const [key, candidate] of world.routes) if (candidate === route) return key;
  throw new Error(`route '${route.name}' of an operation is not in the world`);
}
