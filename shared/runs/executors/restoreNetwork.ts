import { dnsStepId, routeStepId } from "../../domain/planParts.js";
import type { RestoreDnsStep, RestoreRouteStep } from "../../domain/plan.js";
import type { ARecordSet, ARecordSetRef } from "../../ports/dns.js";
import { isDrError } from "../../ports/errors.js";
import type { CurrentRoute, RouteRef } from "../../ports/routes.js";
import type { StepExecutor } from "../stepContext.js";
import { done, failed, waiting, type StepOutcome } from "../stepOutcome.js";
import { describeRoute, keptAsCreated, sameAddresses, type RouteBefore } from "./networkValues.js";

/**
 * Failback: names and routes go back to what the failover run found, read from that run's step
 * journal in the run store (its `previous`), never from the estate: only the failover knew the
 * on-premises values. Each is set back only while it still holds what the failover wrote; a value
 * someone changed since is left alone and the step fails saying what it found. One that did not exist
 * before the failover is removed, on the same condition. Idempotent: a value already back, or a name
 * or route already gone, is done without a write.
 */

interface DnsBefore {
  readonly addresses: readonly string[];
  readonly ttl: number;
}

export const executeRestoreDns: StepExecutor<RestoreDnsStep> = async (context) => {
  const { step, deps } = context;
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
  if (previous === null) return removeCreatedRecordSet(context, ref, current, { addresses: wrote, ttl: record.ttl });
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

/** What a removal journals before its delete, and the step's output once done: the report lists it as removed. */
interface DnsRemoval {
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly removed: true;
}

/**
 * A record set that did not exist before the failover goes away again, but only while it holds exactly
 * what the failover wrote: the delete carries the ETag just read (If-Match), so a change landing in
 * between is refused and judged again. The removal is journaled before the delete, so a redelivery
 * that finds the set gone knows the delete was its own. Already gone: done, nothing to remove.
 */
async function removeCreatedRecordSet(
  context: Parameters<StepExecutor<RestoreDnsStep>>[0],
  ref: ARecordSetRef,
  current: ARecordSet | undefined,
  /** What the failover wrote when it created the set: these addresses and the estate's TTL, no metadata. */
  wrote: { readonly addresses: readonly string[]; readonly ttl: number },
): Promise<StepOutcome> {
  const { step, journal } = context;
  const journaled = journal.output as Partial<DnsRemoval> | undefined;
  if (!current) {
    if (journaled?.removed) return done(`${step.target}: removed (it did not exist before the failover, which created it)`, journaled);
    return done(`${step.target}: did not exist before the failover and is already gone: nothing to remove`);
  }
  const untouched = sameAddresses(current.addresses, wrote.addresses) && keptAsCreated(current, wrote.ttl);
  if (!untouched)
    return failed(
      `${step.target} holds ${current.addresses.join(", ")} (TTL ${current.ttl}${Object.keys(current.metadata).length > 0 ? ", with metadata" : ""}), not ${wrote.addresses.join(", ")} (TTL ${wrote.ttl}) as the failover run ${step.failoverRunId} created it: someone changed it since, so it is not removed (it did not exist before the failover); delete it by hand if that is right, then resume the run`,
      false,
    );
  const removal: DnsRemoval = { from: current.addresses, to: [], removed: true };
  await context.saveJournal({ output: removal });
  try {
    await context.deps.dns.deleteARecordSet(ref, current.etag);
  } catch (error) {
    if (isDrError(error) && error.code === "PreconditionFailed") {
      await context.saveJournal({ output: undefined });
      return failed(`${step.target} changed while being removed`, true, 1);
    }
    throw error;
  }
  return done(`${step.target}: removed (it held ${wrote.addresses.join(", ")}, which the failover created; it did not exist before)`, removal);
}

/**
 * Sets a route back to its next hop before the failover (the on-premises firewall), writing under the
 * ETag of the route just compared (If-Match): a change landing between the read and the write is
 * refused and judged again, so it is not overwritten either. A route the failover created is removed
 * the same way (removeCreatedRoute).
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
  const wrote = (saved.value.journal.output as { nextHopIpAddress?: string } | undefined)?.nextHopIpAddress;
  if (previous === null) return removeCreatedRoute(context, ref, route.addressPrefix, wrote);
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
  if (!leftAsWritten(current, route.addressPrefix, wrote))
    return failed(
      `${step.target} ${describeRoute(current)}, not to ${wrote ?? "(unknown)"} as the failover run ${step.failoverRunId} left it: someone changed it since, so it is not overwritten (next hop before the failover: ${value.nextHopIpAddress}); set it by hand if that is right, then resume the run`,
      false,
    );
  // The value about to be written is journaled before the write, as the removal journals its intent.
  await context.saveJournal({ output });
  try {
    const progress = await deps.routes.startSetRoute(ref, value, current.etag);
    if (progress.status === "running") {
      await context.saveJournal({ resumeToken: progress.resumeToken });
      return waiting(timing.operationPollSeconds);
    }
  } catch (error) {
    // The route changed between the compare and the write: read again and decide again.
    if (isDrError(error) && error.code === "PreconditionFailed") return failed(`${step.target} changed while being set back`, true, 1);
    throw error;
  }
  return done(`${step.target}: next hop ${wrote} -> ${value.nextHopIpAddress}`, output);
};

/** What a route removal journals before its delete, and the step's output once done. */
interface RouteRemoval {
  readonly from: string;
  readonly to: null;
  readonly removed: true;
}

/**
 * A route that did not exist before the failover goes away again, only while it still goes where the
 * failover pointed it; the delete is checked against the ETag just read (RoutePort.startDeleteRoute).
 * Journaled before the delete; a redelivery that finds the route gone is done.
 */
async function removeCreatedRoute(
  context: Parameters<StepExecutor<RestoreRouteStep>>[0],
  ref: RouteRef,
  addressPrefix: string,
  wrote: string | undefined,
): Promise<StepOutcome> {
  const { step, deps, journal, timing } = context;
  const journaled = journal.output as Partial<RouteRemoval> | undefined;
  const removedText = `${step.target}: removed (it did not exist before the failover, which created it towards ${wrote ?? "(unknown)"})`;
  if (journal.resumeToken && journaled?.removed) {
    const progress = await deps.routes.resumeDeleteRoute(ref, journal.resumeToken);
    return progress.status === "running" ? waiting(timing.operationPollSeconds) : done(removedText, journaled);
  }
  const current = await deps.routes.getRoute(ref);
  if (!current) {
    if (journaled?.removed) return done(removedText, journaled);
    return done(`${step.target}: did not exist before the failover and is already gone: nothing to remove`);
  }
  // The redelivery of an attempt whose delete was accepted before its poller state was saved: wait for it to end.
  if (journaled?.removed && current.provisioningState === "Deleting") return waiting(timing.operationPollSeconds, `${step.target}: being removed`);
  if (!leftAsWritten(current, addressPrefix, wrote))
    return failed(
      `${step.target} ${describeRoute(current)}, not to ${wrote ?? "(unknown)"} as the failover run ${step.failoverRunId} created it: someone changed it since, so it is not removed (it did not exist before the failover); delete it by hand if that is right, then resume the run`,
      false,
    );
  const removal: RouteRemoval = { from: current.nextHopIpAddress, to: null, removed: true };
  await context.saveJournal({ output: removal });
  try {
    const progress = await deps.routes.startDeleteRoute(ref, current.etag);
    if (progress.status === "running") {
      await context.saveJournal({ resumeToken: progress.resumeToken });
      return waiting(timing.operationPollSeconds);
    }
  } catch (error) {
    if (isDrError(error) && error.code === "PreconditionFailed") {
      await context.saveJournal({ output: undefined });
      return failed(`${step.target} changed while being removed`, true, 1);
    }
    throw error;
  }
  return done(removedText, removal);
}

/** The route still goes where the failover pointed it, for the estate's prefix. */
function leftAsWritten(current: CurrentRoute, addressPrefix: string, wrote: string | undefined): boolean {
  return wrote !== undefined && current.nextHopType === "VirtualAppliance" && current.nextHopIpAddress === wrote && current.addressPrefix === addressPrefix;
}
