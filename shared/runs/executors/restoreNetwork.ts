import { dnsStepId, routeStepId } from "../../domain/planParts.js";
import type { RestoreDnsStep, RestoreRouteStep } from "../../domain/plan.js";
import { isDrError } from "../../ports/errors.js";
import type { StepExecutor } from "../stepContext.js";
import { done, failed, waiting } from "../stepOutcome.js";

/**
 * Failback: names and routes go back to what the failover run found, read from that run's step
 * journal in the run store (its `previous`), never from the estate: only the failover knew the
 * on-premises values. Each is set back only while it still holds what the failover wrote; a value
 * someone changed since is left alone and the step fails saying what it found. Idempotent: a value
 * already back is done without a write.
 */

interface DnsBefore {
  readonly addresses: readonly string[];
  readonly ttl: number;
}

export const executeRestoreDns: StepExecutor<RestoreDnsStep> = async ({ step, deps }) => {
  const record = deps.estate.dns.find((d) => d.zoneType === step.zoneType && d.zone === step.zone && d.name === step.name);
  if (!record) return failed(`DNS record ${step.target} is no longer in the estate`, false);
  const saved = await deps.store.getStep(step.failoverRunId, dnsStepId(step.zoneType, step.zone, step.name));
  if (!saved || saved.value.step.kind !== "updateDns") return done(`${step.target}: the failover run ${step.failoverRunId} did not change it; left as it is`);
  const previous = saved.value.journal.previous as DnsBefore | null | undefined;
  // The failover journals `previous` before its write: without one it wrote nothing.
  if (previous === undefined) return done(`${step.target}: the failover run ${step.failoverRunId} did not write it; left as it is`);
  const wrote = saved.value.step.addresses;
  const ref = { zoneType: record.zoneType, resourceGroup: record.resourceGroup, zone: record.zone, name: record.name };
  const current = await deps.dns.getARecordSet(ref);
  if (previous === null)
    return done(
      `${step.target}: did not exist before the failover, which created it; left as it is (this product deletes no record set: remove it by hand if the on-premises site has no use for it)`,
    );
  const change = { from: current?.addresses ?? [], to: previous.addresses };
  if (current && sameAddresses(current.addresses, previous.addresses)) return done(`${step.target} already points at ${previous.addresses.join(", ")}`, change);
  if (!current)
    return failed(
      `${step.target}: the record set was deleted since the failover; it is not recreated (its value before the failover: ${previous.addresses.join(", ")})`,
      false,
    );
  if (!sameAddresses(current.addresses, wrote))
    return failed(
      `${step.target} holds ${current.addresses.join(", ")}, not ${wrote.join(", ")} as the failover run ${step.failoverRunId} left it: someone changed it since, so it is not overwritten (its value before the failover: ${previous.addresses.join(", ")}); set it by hand if that is right, then resume the run`,
      false,
    );
  try {
    // If-Match on the set just read: a change made between the read and the write is refused, then judged again.
    await deps.dns.putARecordSet(ref, { addresses: previous.addresses, ttl: previous.ttl, metadata: current.metadata }, current.etag);
  } catch (error) {
    if (isDrError(error) && error.code === "PreconditionFailed") return failed(`${step.target} changed while being set back`, true, 1);
    throw error;
  }
  return done(`${step.target}: ${current.addresses.join(", ")} -> ${previous.addresses.join(", ")}`, change);
};

interface RouteBefore {
  readonly addressPrefix: string;
  readonly nextHopIpAddress: string;
  readonly nextHopType: string;
}

/**
 * Sets a route back to its next hop before the failover (the on-premises firewall). The route port
 * carries no ETag, so the compare and the write are two requests: a change landing between them
 * (a few hundred milliseconds) would be overwritten; a change made at any time before is not.
 */
export const executeRestoreRoute: StepExecutor<RestoreRouteStep> = async (context) => {
  const { step, deps, journal, timing } = context;
  const route = deps.estate.routes.find((r) => r.routeTable === step.routeTable && r.route === step.route);
  if (!route) return failed(`route ${step.target} is no longer in the estate`, false);
  const ref = { resourceGroup: route.resourceGroup, routeTable: route.routeTable, route: route.route };
  const saved = await deps.store.getStep(step.failoverRunId, routeStepId(step.routeTable, step.route));
  if (!saved || saved.value.step.kind !== "updateRoute") return done(`${step.target}: the failover run ${step.failoverRunId} did not change it; left as it is`);
  const previous = saved.value.journal.previous as RouteBefore | null | undefined;
  if (previous === undefined) return done(`${step.target}: the failover run ${step.failoverRunId} did not write it; left as it is`);
  if (previous === null)
    return done(
      `${step.target}: did not exist before the failover, which created it; left as it is (this product deletes no route: remove it by hand if it is not needed)`,
    );
  const value = { addressPrefix: previous.addressPrefix, nextHopIpAddress: previous.nextHopIpAddress };
  const output = { nextHopIpAddress: previous.nextHopIpAddress };

  if (journal.resumeToken) {
    const progress = await deps.routes.resumeSetRoute(ref, value, journal.resumeToken);
    if (progress.status === "running") return waiting(timing.operationPollSeconds);
    return done(`${step.target}: next hop back at ${value.nextHopIpAddress}`, output);
  }
  if (previous.nextHopType !== "VirtualAppliance")
    return failed(
      `${step.target}: its next hop before the failover was of type ${previous.nextHopType}, which this product does not write: set it back by hand, then resume the run`,
      false,
    );
  const current = await deps.routes.getRoute(ref);
  if (current?.nextHopType === "VirtualAppliance" && current.nextHopIpAddress === value.nextHopIpAddress && current.addressPrefix === value.addressPrefix)
    return done(`${step.target}: next hop already back at ${value.nextHopIpAddress}`, output);
  if (!current)
    return failed(`${step.target}: the route was deleted since the failover; it is not recreated (next hop before: ${value.nextHopIpAddress})`, false);
  const wrote = (saved.value.journal.output as { nextHopIpAddress?: string } | undefined)?.nextHopIpAddress;
  if (wrote === undefined || current.nextHopType !== "VirtualAppliance" || current.nextHopIpAddress !== wrote || current.addressPrefix !== route.addressPrefix)
    return failed(
      `${step.target} goes to ${current.nextHopType} ${current.nextHopIpAddress || "(no address)"} for ${current.addressPrefix}, not to ${wrote ?? "(unknown)"} as the failover run ${step.failoverRunId} left it: someone changed it since, so it is not overwritten (next hop before the failover: ${value.nextHopIpAddress}); set it by hand if that is right, then resume the run`,
      false,
    );
  const progress = await deps.routes.startSetRoute(ref, value);
  if (progress.status === "running") {
    await context.saveJournal({ resumeToken: progress.resumeToken, output });
    return waiting(timing.operationPollSeconds);
  }
  return done(`${step.target}: next hop ${wrote} -> ${value.nextHopIpAddress}`, output);
};

function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}
