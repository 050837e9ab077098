import type { ProbeResult } from "../../shared/ports/healthProbe.js";
import { sourceAddressOf } from "./sourceAddresses.js";
import { isOnPremisesFirewall, regionOf, routeKey, type SimNic, type SimVm, type World } from "./world.js";

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443 };

/**
 * An HTTP GET of `url` as the simulated network answers it. From the Function App (no `from`), only
 * recovered production VMs and the VMs running on vSphere (onPremisesVmAt) are reachable; test-failover
 * VMs live in the isolated drill VNet, so they are reachable only from another VM of that network. An
 * address answers when a VM's NIC holds it, and a VM answers on its tier's health probe only. Probes
 * stay inside the VNet (the VNet's system route is more specific than any 0.0.0.0/0 route), so the
 * NAT's route does not carry them.
 */
export function httpGet(world: World, url: string, from?: SimVm): ProbeResult {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, detail: `invalid URL '${url}'` };
  }
  const port = parsed.port ? Number(parsed.port) : (DEFAULT_PORTS[parsed.protocol] ?? 0);
  const endpoint = `${parsed.hostname}:${port}`;
  const isLoopback = parsed.hostname === "localhost" || parsed.hostname === "127.0.0.1";
  const target = isLoopback
    ? from
    : (vmAt(world, parsed.hostname, from?.kind === "test" ? "test" : "recovered") ?? (from ? undefined : onPremisesVmAt(world, parsed.hostname)));
  const estateVm = target?.source;
  if (!estateVm || !target) return { ok: false, detail: `connect ETIMEDOUT ${endpoint}: no host answers at this address` };
  if (target.kind === "onPremises" && (world.faults.unhealthyOnPremises ?? []).includes(estateVm.name))
    return { ok: false, detail: `HTTP 503 Service Unavailable from ${target.name}: the application reports unhealthy on vSphere` };
  const probe = world.estate.tiers.find((t) => t.name === estateVm.tier)?.healthProbe;
  if (!probe || probe.port !== port) return { ok: false, detail: `connect ECONNREFUSED ${endpoint}: nothing listens on port ${port} of ${target.name}` };
  if (`${probe.scheme}:` !== parsed.protocol) {
    return {
      ok: false,
      detail: `${parsed.protocol === "https:" ? "TLS handshake failed" : "socket hang up"} on ${endpoint}: the service speaks ${probe.scheme}`,
    };
  }
  if (parsed.pathname !== probe.path) return { ok: false, detail: `HTTP 404 Not Found from ${target.name} for ${parsed.pathname}` };
  if (target.kind !== "onPremises" && (world.faults.unhealthyApp ?? []).includes(estateVm.name)) {
    return { ok: false, detail: `HTTP 503 Service Unavailable from ${target.name}: the application reports unhealthy` };
  }
  return { ok: true, detail: `HTTP 200 OK from ${target.name}` };
}

/**
 * Why a packet from `vm` to a public address (an Azure service's public endpoint, such as the PostgreSQL
 * server the estate names by its public FQDN) never gets out, or undefined when it does.
 *
 * Microsoft docs, virtual-networks-udr-overview: a 0.0.0.0/0 route to a virtual appliance takes all
 * traffic without a more specific route, public IPs of Azure services included; a NIC that forwards
 * traffic not addressed to itself must have Enable IP forwarding, which turns off Azure's source and
 * destination check (so without it Azure drops what the appliance forwards); and the appliance sits in
 * another subnet than the resources routed through it. Which subnets the estate's route tables are
 * associated with is not in the estate: the simulator takes every production VM of the route table's
 * region outside the route's own tier (the appliance's). Test VMs sit in the isolated drill VNet, which
 * has none of these routes. The on-premises firewall the routes start on is reached over ExpressRoute,
 * whose data path the simulator does not model: traffic sent there is let through.
 */
export function egressDrop(world: World, vm: SimVm): string | undefined {
  if (vm.kind !== "recovered" || !vm.source) return undefined;
  const tier = vm.source.tier;
  for (const route of world.estate.routes) {
    if (route.addressPrefix !== "0.0.0.0/0" || route.tier === tier) continue;
    if (regionOf(world.estate, route.resourceGroup).toLowerCase() !== vm.location.toLowerCase()) continue;
    const current = world.routes.get(routeKey(route.resourceGroup, route.routeTable, route.route));
    const hop = current?.nextHopType === "VirtualAppliance" ? current.nextHopIpAddress : undefined;
    if (!hop || isOnPremisesFirewall(hop)) continue;
    const name = `${route.routeTable}/${route.route}`;
    const appliance = nicAt(world, hop, vm.location);
    if (!appliance) return `route ${name} sends it to ${hop}, an address no network interface holds`;
    if (!world.forwardingNics.has(appliance))
      return `route ${name} sends it to ${appliance.vm.name} (${hop}), whose NIC has IP forwarding disabled, so Azure drops what it forwards`;
  }
  return undefined;
}

/**
 * The estate VM running on vSphere at `address` (its InMageRcm sourceIPAddress, sourceAddresses.ts), as
 * the Function App reaches it over ExpressRoute (whose data path the simulator does not model). It runs
 * there before any failover (forward item active on Primary) and after its failback's planned failover
 * (reprotected item active on Recovery, which is vSphere in that direction: recorded state E), not while
 * it runs in Azure; a test failover leaves the production VM running on premises.
 */
function onPremisesVmAt(world: World, address: string): OnPremisesVm | undefined {
  for (const item of world.items.values()) {
    if (sourceAddressOf(world.estate, item.vm) !== address) continue;
    const onVsphere = item.reprotected ? item.activeLocation === "Recovery" : item.activeLocation === "Primary";
    return onVsphere ? { kind: "onPremises", name: item.vm.name, source: item.vm } : undefined;
  }
  return undefined;
}

interface OnPremisesVm {
  readonly kind: "onPremises";
  readonly name: string;
  readonly source: SimVm["source"];
}

/** The existing VM of the given network whose NIC holds `address`. */
function vmAt(world: World, address: string, kind: "recovered" | "test"): SimVm | undefined {
  for (const [key, vm] of world.vms) if (vm.kind === kind && world.nics.get(key)?.privateIpAddress === address) return vm;
  return undefined;
}

/** The production NIC (target DC or recovered VM) of the region that holds `address`. */
function nicAt(world: World, address: string, location: string): SimNic | undefined {
  for (const [key, vm] of world.vms) {
    const nic = world.nics.get(key);
    if (vm.kind !== "test" && nic?.privateIpAddress === address && nic.location.toLowerCase() === location.toLowerCase()) return nic;
  }
  return undefined;
}
