import type { EnableIpForwardingStep, UpdateDnsStep, UpdateRouteStep } from "../../domain/plan.js";
import { isDrError } from "../../ports/errors.js";
import type { StepExecutor } from "../stepContext.js";
import { done, failed, waiting } from "../stepOutcome.js";
import { findVm } from "./estateLookup.js";
import { describeRoute, sameAddresses, type RouteBefore } from "./networkValues.js";

/** What the IP forwarding step keeps for failback: the NIC and its setting before the change. */
interface ForwardingBefore {
  readonly nicId: string;
  readonly enableIpForwarding: boolean;
}

/**
 * Turns IP forwarding on for the recovered NAT/firewall VM's primary NIC (that NIC only): Azure drops
 * packets a VM forwards unless its NIC allows it. Written under the NIC's ETag; the setting before is journaled.
 */
export const executeEnableIpForwarding: StepExecutor<EnableIpForwardingStep> = async (context) => {
  const { step, deps, journal, timing } = context;
  const vm = findVm(deps.estate, step.vm);
  const before = journal.previous as ForwardingBefore | undefined;

  if (journal.resumeToken && before) {
    const progress = await deps.nics.resumeEnableIpForwarding(before.nicId, journal.resumeToken);
    if (progress.status === "running") return waiting(timing.operationPollSeconds);
    return done(`${step.vm}: IP forwarding enabled on its NIC`, { nicId: before.nicId });
  }
  const nic = await deps.nics.getPrimaryNic(vm.recoveryVmId);
  // Journaled before any write, so failback knows whether forwarding was ours to turn on.
  if (!before) await context.saveJournal({ previous: { nicId: nic.id, enableIpForwarding: nic.enableIpForwarding } satisfies ForwardingBefore });
  if (nic.enableIpForwarding) {
    // Also the redelivery of an attempt whose PUT went out before its poller state was saved: wait for it to land.
    if (nic.provisioningState !== "Succeeded") return waiting(timing.operationPollSeconds, `${step.vm}: its NIC is ${nic.provisioningState}`);
    return done(`${step.vm}: IP forwarding ${before?.enableIpForwarding === false ? "enabled" : "already on"} on its NIC`, { nicId: nic.id });
  }
  try {
    const progress = await deps.nics.startEnableIpForwarding(nic.id, nic.etag);
    if (progress.status === "running") {
      await context.saveJournal({ resumeToken: progress.resumeToken });
      return waiting(timing.operationPollSeconds);
    }
  } catch (error) {
    // The NIC changed between our read and write: read again and decide again.
    if (isDrError(error) && error.code === "PreconditionFailed") return failed(`${step.vm}: its NIC changed while IP forwarding was being enabled`, true, 1);
    throw error;
  }
  return done(`${step.vm}: IP forwarding enabled on its NIC`, { nicId: nic.id });
};

/**
 * Points a user-defined route at the private IP the recovered NAT/firewall VM's primary NIC has now,
 * keeping the old next hop for failback. Refuses to point it at a NIC that would drop the traffic.
 * Written under the ETag just read (If-Match): a change landing between the read and the write is
 * refused, and the attempt after it finds the route no longer as this step first read it, so it
 * stops without overwriting and says what it found.
 */
export const executeUpdateRoute: StepExecutor<UpdateRouteStep> = async (context) => {
  const { step, deps, journal, timing } = context;
  const route = deps.estate.routes.find((r) => r.routeTable === step.routeTable && r.route === step.route);
  if (!route) return failed(`route ${step.target} is no longer in the estate`, false);
  const ref = { resourceGroup: route.resourceGroup, routeTable: route.routeTable, route: route.route };
  const chosen = journal.output as { nextHopIpAddress: string } | undefined;

  if (journal.resumeToken && chosen) {
    const progress = await deps.routes.resumeSetRoute(
      ref,
      { addressPrefix: route.addressPrefix, nextHopIpAddress: chosen.nextHopIpAddress },
      journal.resumeToken,
    );
    if (progress.status === "running") return waiting(timing.operationPollSeconds);
    return done(`${step.target}: next hop ${step.nextHopVm} at ${chosen.nextHopIpAddress}`, chosen);
  }
  const nic = await deps.nics.getPrimaryNic(findVm(deps.estate, step.nextHopVm).recoveryVmId);
  if (!nic.enableIpForwarding)
    return failed(`${step.target}: IP forwarding is off on ${step.nextHopVm}'s NIC, so Azure would drop the traffic routed to it`, false);
  const value = { addressPrefix: route.addressPrefix, nextHopIpAddress: nic.privateIpAddress };
  const output = { nextHopIpAddress: nic.privateIpAddress };
  const current = await deps.routes.getRoute(ref);
  if (current?.nextHopType === "VirtualAppliance" && current.nextHopIpAddress === value.nextHopIpAddress && current.addressPrefix === value.addressPrefix) {
    return done(`${step.target}: next hop already ${step.nextHopVm} at ${value.nextHopIpAddress}`, output);
  }
  const found: RouteBefore | null = current
    ? { addressPrefix: current.addressPrefix, nextHopType: current.nextHopType, nextHopIpAddress: current.nextHopIpAddress }
    : null;
  const firstRead = journal.previous as RouteBefore | null | undefined;
  if (firstRead === undefined) await context.saveJournal({ previous: found });
  else if (!sameRoute(firstRead, found))
    return failed(
      `${step.target} ${describeRoute(found)} now, not ${describeRoute(firstRead)} as this step read it before its write was refused: someone changed it meanwhile, so it is not overwritten; point it at ${step.nextHopVm} (${value.nextHopIpAddress}) by hand if that is right, then resume the run`,
      false,
    );
  try {
    const progress = await deps.routes.startSetRoute(ref, value, current?.etag);
    if (progress.status === "running") {
      await context.saveJournal({ resumeToken: progress.resumeToken, output });
      return waiting(timing.operationPollSeconds);
    }
  } catch (error) {
    // The route changed between our read and write: the next attempt reads it again and compares.
    if (isDrError(error) && error.code === "PreconditionFailed") return failed(`${step.target} changed while being pointed at ${step.nextHopVm}`, true, 1);
    throw error;
  }
  return done(`${step.target}: next hop ${step.nextHopVm} at ${value.nextHopIpAddress}`, output);
};

function sameRoute(a: RouteBefore | null, b: RouteBefore | null): boolean {
  if (a === null || b === null) return a === b;
  return a.addressPrefix === b.addressPrefix && a.nextHopType === b.nextHopType && a.nextHopIpAddress === b.nextHopIpAddress;
}

/** Moves an A record set to the recovered addresses with If-Match, keeping the old value for failback and the set's metadata. */
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
    // The PUT replaces the whole set: carry back the metadata other tools put on it (we add none).
    await deps.dns.putARecordSet(ref, { addresses: step.addresses, ttl: record.ttl, ...(current ? { metadata: current.metadata } : {}) }, current?.etag);
  } catch (error) {
    // Someone changed the record between our read and write: read again and decide again.
    if (isDrError(error) && error.code === "PreconditionFailed") return failed(`${step.target} changed while being updated`, true, 1);
    throw error;
  }
  return done(`${step.target}: ${change.from.join(", ") || "(none)"} -> ${step.addresses.join(", ")}`, change);
};
