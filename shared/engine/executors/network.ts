import type { UpdateDnsStep, UpdateRouteStep } from "../../domain/plan.js";
import { isDrError } from "../../ports/errors.js";
import type { StepExecutor } from "../stepContext.js";
import { done, failed, waiting } from "../stepOutcome.js";

/** Points a user-defined route at the recovered NAT/firewall VM, keeping the old next hop for failback. */
export const executeUpdateRoute: StepExecutor<UpdateRouteStep> = async (context) => {
  const { step, deps, journal, timing } = context;
  const route = deps.estate.routes.find((r) => r.routeTable === step.routeTable && r.route === step.route);
  if (!route) return failed(`route ${step.target} is no longer in the estate`, false);
  const ref = { resourceGroup: route.resourceGroup, routeTable: route.routeTable, route: route.route };
  const value = { addressPrefix: route.addressPrefix, nextHopIpAddress: step.nextHopIpAddress };

  if (journal.resumeToken) {
    const progress = await deps.routes.resumeSetRoute(ref, value, journal.resumeToken);
    if (progress.status === "running") return waiting(timing.operationPollSeconds);
    return done(`${step.target}: next hop ${step.nextHopIpAddress}`);
  }
  const current = await deps.routes.getRoute(ref);
  if (current?.nextHopType === "VirtualAppliance" && current.nextHopIpAddress === step.nextHopIpAddress) {
    return done(`${step.target}: next hop already ${step.nextHopIpAddress}`);
  }
  if (journal.previous === undefined) await context.saveJournal({ previous: current ?? null });
  const progress = await deps.routes.startSetRoute(ref, value);
  if (progress.status === "running") {
    await context.saveJournal({ resumeToken: progress.resumeToken });
    return waiting(timing.operationPollSeconds);
  }
  return done(`${step.target}: next hop ${step.nextHopIpAddress}`);
};

/** Moves an A record set to the recovered addresses with If-Match, keeping the old value for failback. */
export const executeUpdateDns: StepExecutor<UpdateDnsStep> = async (context) => {
  const { step, deps, journal } = context;
  const record = deps.estate.dns.find((d) => d.zoneType === step.zoneType && d.zone === step.zone && d.name === step.name);
  if (!record) return failed(`DNS record ${step.target} is no longer in the estate`, false);
  const ref = { zoneType: record.zoneType, resourceGroup: record.resourceGroup, zone: record.zone, name: record.name };
  const current = await deps.dns.getARecordSet(ref);
  const recorded = journal.previous as { addresses: readonly string[]; ttl: number } | null | undefined;
  const previous = recorded === undefined ? (current ? { addresses: current.addresses, ttl: current.ttl } : null) : recorded;
  const change = { from: previous?.addresses ?? [], to: step.addresses };
  if (current && sameAddresses(current.addresses, step.addresses)) return done(`${step.target} already points at ${step.addresses.join(", ")}`, change);

  if (journal.previous === undefined) await context.saveJournal({ previous });
  try {
    await deps.dns.putARecordSet(ref, { addresses: step.addresses, ttl: record.ttl }, current?.etag);
  } catch (error) {
    // Someone changed the record between our read and write: read again and decide again.
    if (isDrError(error) && error.code === "PreconditionFailed") return failed(`${step.target} changed while being updated`, true, 1);
    throw error;
  }
  return done(`${step.target}: ${change.from.join(", ") || "(none)"} -> ${step.addresses.join(", ")}`, change);
};

function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}
