import type { ProbeResult } from "../../shared/ports/healthProbe.js";
import { parseResourceId, testVmName, vmKey, type SimVm, type World } from "./world.js";

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443 };

/**
 * An HTTP GET of `url` as the simulated network answers it. From the Function App (no `from`), only
 * recovered production VMs are reachable; test-failover VMs live in the isolated drill VNet, so they
 * are reachable only from another VM of that network. A VM answers on its tier's health probe only.
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
  const estateVm = isLoopback ? from?.source : world.estate.vms.find((vm) => vm.recoveryIp === parsed.hostname);
  const inTestNetwork = from?.kind === "test";
  const { resourceGroup, name } = estateVm ? parseResourceId(estateVm.recoveryVmId) : { resourceGroup: "", name: "" };
  const target = estateVm ? world.vms.get(vmKey(resourceGroup, inTestNetwork ? testVmName(estateVm) : name)) : undefined;
  if (!estateVm || !target) return { ok: false, detail: `connect ETIMEDOUT ${endpoint}: no host answers at this address` };
  const probe = world.estate.tiers.find((t) => t.name === estateVm.tier)?.healthProbe;
  if (!probe || probe.port !== port) return { ok: false, detail: `connect ECONNREFUSED ${endpoint}: nothing listens on port ${port} of ${target.name}` };
  if (`${probe.scheme}:` !== parsed.protocol) {
    return { ok: false, detail: `${parsed.protocol === "https:" ? "TLS handshake failed" : "socket hang up"} on ${endpoint}: the service speaks ${probe.scheme}` };
  }
  if (parsed.pathname !== probe.path) return { ok: false, detail: `HTTP 404 Not Found from ${target.name} for ${parsed.pathname}` };
  if ((world.faults.unhealthyApp ?? []).includes(estateVm.name)) {
    return { ok: false, detail: `HTTP 503 Service Unavailable from ${target.name}: the application reports unhealthy` };
  }
  return { ok: true, detail: `HTTP 200 OK from ${target.name}` };
}
