import { updateAdDnsStepsFor } from "./adDnsSteps.js";
import type { Estate, Tier, Vm } from "./estate.js";
import { dnsRecordSteps, hasNetworkChanges, routeSteps } from "./networkSteps.js";
import type { AwaitDecisionStep, FailoverRequest, Plan, Step } from "./plan.js";
import { planFailback } from "./planFailback.js";
import {
  APPROVAL_NOTE,
  dnsStepId,
  failoverStepId,
  gate,
  nearestUpstream,
  NOTIFY_STEP_ID,
  PlanError,
  routeStepId,
  selectVms,
  tierReady,
  tierReadyId,
  VERIFY_DC_STEP_ID,
} from "./planParts.js";

export { decisionGateId, dnsStepId, failoverStepId, NOTIFY_STEP_ID, PlanError, routeStepId, tierReadyId, VERIFY_DC_STEP_ID } from "./planParts.js";

/**
 * Turns an estate and a request into a DAG of steps. Pure: no I/O, no clock.
 *
 * Order: verify the target DC, then each tier once the tiers it depends on are ready:
 * failover of its VMs, their in-guest checks and health probes, its routes and DNS records,
 * a tier-ready milestone. Unplanned runs commit every VM once all tiers are ready; test runs
 * clean up their isolated VMs instead and never touch production routes or DNS.
 */
export function planFailover(estate: Estate, request: FailoverRequest): Plan {
  if (request.mode === "failback-prep") return planFailbackPrep(estate, request);
  if (request.mode === "failback") return planFailback(estate, request);
  if (request.cleanupOnly) return planCleanupOnly(estate, request);
  const notes: string[] = [];
  const selected = selectVms(estate, request);
  const vmsInScope = request.mode === "test" ? oneDomainControllerForDrill(estate, selected, notes) : selected;
  const tiersInScope = estate.tiers.filter((t) => vmsInScope.some((vm) => vm.tier === t.name));
  const recoveryPoint = request.recoveryPoint ?? estate.recoveryPoint;
  const steps: Step[] = [{ kind: "verifyTargetDc", id: VERIFY_DC_STEP_ID, dependsOn: [], target: "target-dc" }];
  // An approval gate sits between the DC check and the first failover: nothing changes before it.
  const approval = request.approvalRequired ? gate("approve", [VERIFY_DC_STEP_ID]) : undefined;
  if (approval) {
    steps.push(approval);
    notes.push(APPROVAL_NOTE);
  }
  const firstStart = approval ? [approval.id] : [VERIFY_DC_STEP_ID];

  for (const tier of tiersInScope) {
    const tierVms = vmsInScope.filter((vm) => vm.tier === tier.name);
    const upstream = nearestUpstream(estate, tier.name, new Set(tiersInScope.map((t) => t.name)));
    const startAfter = upstream.length > 0 ? upstream.map(tierReadyId) : firstStart;
    const vmGates: string[] = [];

    for (const vm of tierVms) {
      const failoverId = failoverStepId(vm.name);
      steps.push({ kind: "failover", id: failoverId, dependsOn: startAfter, tier: tier.name, target: vm.name, vm: vm.name, mode: request.mode, recoveryPoint });
      const checks = vmChecks(tier, vm, failoverId, request.mode);
      steps.push(...checks);
      vmGates.push(...(checks.length > 0 ? checks.map((c) => c.id) : [failoverId]));
    }

    const wholeTier = tierVms.length === estate.vms.filter((vm) => vm.tier === tier.name).length;
    const networkChanges = request.mode === "unplanned" && wholeTier ? networkStepsFor(estate, tier.name, vmGates) : [];
    if (request.mode === "test") {
      if (hasNetworkChanges(estate, tier.name)) notes.push(`Test failover: routes and DNS of tier '${tier.name}' stay on production values.`);
    } else if (!wholeTier && hasNetworkChanges(estate, tier.name)) {
      notes.push(`Tier '${tier.name}' is only partly in scope: its routes and DNS records are left unchanged.`);
    }
    steps.push(...networkChanges);
    steps.push(tierReady(tier.name, [...vmGates, ...networkChanges.map((s) => s.id)]));
  }

  const allTiersReady = tiersInScope.map((t) => tierReadyId(t.name));
  const finishGate = request.manualFinish ? finishGateFor(request, allTiersReady) : undefined;
  if (finishGate) {
    steps.push(finishGate.step);
    notes.push(finishGate.note);
  }
  const finishAfter = finishGate ? [finishGate.step.id] : allTiersReady;
  const finishing: Step[] = vmsInScope.map((vm) =>
    request.mode === "unplanned"
      ? { kind: "commit", id: `commit:${vm.name}`, dependsOn: finishAfter, tier: vm.tier, target: vm.name, vm: vm.name }
      : { kind: "cleanupTestFailover", id: `cleanup:${vm.name}`, dependsOn: finishAfter, tier: vm.tier, target: vm.name, vm: vm.name },
  );
  steps.push(...finishing);
  steps.push({ kind: "notify", id: NOTIFY_STEP_ID, dependsOn: finishing.map((s) => s.id), target: "run", event: "runCompleted" });
  return { mode: request.mode, steps, notes };
}

function finishGateFor(request: FailoverRequest, after: readonly string[]): { step: AwaitDecisionStep; note: string } {
  if (request.mode === "unplanned") {
    return {
      step: gate("commit", after),
      note: "Commit waits for a person (POST /api/runs/{runId}/commit) once every tier is ready: until then the failover can still change its recovery point.",
    };
  }
  const minutes = request.cleanupAfterMinutes;
  if (minutes !== undefined && (!Number.isInteger(minutes) || minutes < 1)) throw new PlanError("cleanupAfterMinutes: a whole number of minutes, at least 1");
  return minutes === undefined
    ? { step: gate("cleanup", after), note: "The test VMs stay up for inspection until a person cleans them up (POST /api/runs/{runId}/cleanup)." }
    : {
        step: gate("cleanup", after, minutes * 60),
        note: `The test VMs stay up for inspection and are cleaned up ${minutes} min after the last tier is ready, or earlier on POST /api/runs/{runId}/cleanup.`,
      };
}

/**
 * Failback preparation: reprotect each in-scope VM (Azure back to the on-premises site) once it is
 * failed over and committed. Every vault involved must carry its reprotect settings.
 */
function planFailbackPrep(estate: Estate, request: FailoverRequest): Plan {
  const vms = selectVms(estate, request);
  const missing = [...new Set(vms.map((vm) => vm.vault))].filter((key) => !estate.vaults[key]?.reprotect);
  if (missing.length > 0)
    throw new PlanError(
      `vaults.${missing.join(", vaults.")}.reprotect: failback preparation needs the vault's reprotect settings (appliance, datastore, log storage account)`,
    );
  const notes: string[] = [
    "Failback preparation only reverses replication; failing back is a planned failover started later, once the on-premises site has caught up.",
  ];
  const steps: Step[] = [];
  const approval = request.approvalRequired ? gate("approve", []) : undefined;
  if (approval) {
    steps.push(approval);
    notes.unshift(APPROVAL_NOTE);
  }
  const reprotects: Step[] = vms.map((vm) => ({
    kind: "reprotect",
    id: `reprotect:${vm.name}`,
    dependsOn: approval ? [approval.id] : [],
    tier: vm.tier,
    target: vm.name,
    vm: vm.name,
  }));
  steps.push(...reprotects);
  steps.push({ kind: "notify", id: NOTIFY_STEP_ID, dependsOn: reprotects.map((s) => s.id), target: "run", event: "runCompleted" });
  return { mode: request.mode, steps, notes };
}

/** The sweep after a drill that stopped early: clean up the test VMs of the VMs in scope, then notify. */
function planCleanupOnly(estate: Estate, request: FailoverRequest): Plan {
  if (request.mode !== "test") throw new PlanError("cleanupOnly: only a test failover is cleaned up");
  const cleanups: Step[] = selectVms(estate, request).map((vm) => ({
    kind: "cleanupTestFailover",
    id: `cleanup:${vm.name}`,
    dependsOn: [],
    tier: vm.tier,
    target: vm.name,
    vm: vm.name,
  }));
  return {
    mode: "test",
    steps: [...cleanups, { kind: "notify", id: NOTIFY_STEP_ID, dependsOn: cleanups.map((s) => s.id), target: "run", event: "runCompleted" }],
    notes: ["Cleanup of the test VMs a drill left behind; nothing is failed over."],
  };
}

/**
 * Microsoft's guidance for AD with Site Recovery: a test failover brings one domain controller, not
 * all, into the isolated network (several DCs restored there from different points would diverge);
 * the drill's DC check runs on that one, and the drill's members find it there.
 */
function oneDomainControllerForDrill(estate: Estate, vms: readonly Vm[], notes: string[]): Vm[] {
  const dcs = vms.filter((vm) => vm.role === "domainController");
  if (dcs.length <= 1) return [...vms];
  const keep = dcs.find((vm) => vm.name === estate.drill.domainController) ?? dcs[0];
  const left = dcs.filter((vm) => vm !== keep).map((vm) => vm.name);
  notes.push(
    `Drill: only ${keep?.name} of the domain controllers goes into the isolated test network (one DC per drill, as Microsoft advises for AD); ${left.join(", ")} stay(s) out.`,
  );
  return vms.filter((vm) => vm.role !== "domainController" || vm === keep);
}

function vmChecks(tier: Tier, vm: Vm, failoverId: string, mode: FailoverRequest["mode"]): Step[] {
  const base = { dependsOn: [failoverId], tier: tier.name, target: vm.name, vm: vm.name };
  const probeUrl = tier.healthProbe ? `${tier.healthProbe.scheme}://${vm.recoveryIp}:${tier.healthProbe.port}${tier.healthProbe.path}` : undefined;
  const inGuestProbe = mode === "test" ? probeUrl : undefined;
  const checks: Step[] = [];
  if (tier.guestChecks.length > 0 || inGuestProbe) {
    checks.push({ kind: "guestChecks", id: `checks:${vm.name}`, ...base, checks: tier.guestChecks, ...(inGuestProbe ? { httpProbeUrl: inGuestProbe } : {}) });
  }
  if (probeUrl && mode === "unplanned") checks.push({ kind: "healthProbe", id: `probe:${vm.name}`, ...base, url: probeUrl });
  return checks;
}

const ipForwardingId = (vm: string): string => `ip-forwarding:${vm}`;

function networkStepsFor(estate: Estate, tier: string, after: readonly string[]): Step[] {
  const tierRoutes = estate.routes.filter((r) => r.tier === tier);
  // One IP forwarding step per appliance, before every route through it.
  const forwarding: Step[] = [...new Set(tierRoutes.map((r) => r.nextHopVm))].map((vm) => ({
    kind: "enableIpForwarding",
    id: ipForwardingId(vm),
    dependsOn: after,
    tier,
    target: vm,
    vm,
  }));
  const routes = routeSteps(estate, tier, (r, fields) => ({
    kind: "updateRoute",
    id: routeStepId(r.routeTable, r.route),
    dependsOn: [ipForwardingId(r.nextHopVm)],
    ...fields,
    nextHopVm: r.nextHopVm,
  }));
  const records = dnsRecordSteps(estate, tier, after, (d, fields) => ({
    kind: "updateDns",
    id: dnsStepId(d.zoneType, d.zone, d.name),
    ...fields,
    addresses: d.failoverAddresses,
  }));
  return [...forwarding, ...routes, ...records, ...updateAdDnsStepsFor(estate, tier, after)];
}
