import { restoreAdDnsStepsFor } from "./adDnsSteps.js";
import type { Estate, Tier, Vm } from "./estate.js";
import { dnsRecordSteps, hasNetworkChanges, routeSteps } from "./networkSteps.js";
import type { FailbackPoint, FailoverRequest, HealthProbeStep, Plan, Step } from "./plan.js";
import {
  APPROVAL_NOTE,
  decisionGateId,
  gate,
  nearestUpstream,
  NOTIFY_STEP_ID,
  PlanError,
  selectVms,
  tierReady,
  tierReadyId,
  VERIFY_DC_STEP_ID,
} from "./planParts.js";

export const awaitFailbackReplicationId = (vm: string): string => `await-failback-replication:${vm}`;
export const plannedFailbackId = (vm: string): string => `failback:${vm}`;
export const restoreDnsId = (zoneType: string, zone: string, name: string): string => `restore-dns:${zoneType}:${zone}:${name}`;
export const restoreRouteId = (routeTable: string, route: string): string => `restore-route:${routeTable}:${route}`;
export const reprotectToAzureId = (vm: string): string => `reprotect-azure:${vm}`;
export const onPremisesProbeId = (vm: string): string => `probe-on-premises:${vm}`;

/**
 * ApplicationConsistent unless asked otherwise: it is what Azure PowerShell's own failback test sent
 * (TestV2ARCMFailback.json), and the applications (AD, the API's database clients) start from a point
 * they wrote consistently; CrashConsistent is the choice when no app-consistent point is recent enough.
 */
export const DEFAULT_FAILBACK_POINT: FailbackPoint = "ApplicationConsistent";

/**
 * The way back to vSphere in one run (mode `failback`). Pure: no I/O, no clock.
 *
 * Order: every VM in scope replicating back and healthy (polled), one approval (the planned failover
 * causes downtime), the target-region DC verified, then per tier in dependency order the planned
 * failover of its VMs, their application probed on vSphere where the estate says where, and the
 * tier's names and routes set back to what the failover run `failoverRunId` found; once all tiers
 * are back, commit each VM and protect it towards Azure again.
 */
export function planFailback(estate: Estate, request: FailoverRequest): Plan {
  const failoverRunId = request.failoverRunId;
  if (!failoverRunId)
    throw new PlanError("failoverRunId: a failback sets back what a failover run changed: name that unplanned run (the API takes the latest succeeded one)");
  if (request.recoveryPoint !== undefined) throw new PlanError("recoveryPoint: a failback takes failbackPoint ('ApplicationConsistent' or 'CrashConsistent')");
  const vms = selectVms(estate, request);
  const missing = [...new Set(vms.map((vm) => vm.vault))].filter((key) => !estate.vaults[key]?.failbackReprotect);
  if (missing.length > 0)
    throw new PlanError(
      `vaults.${missing.join(", vaults.")}.failbackReprotect: a failback ends by protecting the VMs towards Azure again, which needs the vault's process server and policy`,
    );
  const recoveryPointType = request.failbackPoint ?? DEFAULT_FAILBACK_POINT;
  const tiersInScope = estate.tiers.filter((t) => vms.some((vm) => vm.tier === t.name));
  const notes: string[] = [
    `Waits until every VM in scope replicates back to vSphere, healthy, with ASR offering the planned failover; run failback-prep first if they are not reprotected.`,
    `${APPROVAL_NOTE.replace("before anything is changed", "before the first planned failover")} The planned failover shuts the Azure VMs down: the applications are down until their on-premises VMs have started.`,
    `Recovery point of the on-premises VMs: ${recoveryPointType}${request.failbackPoint ? "" : " (default)"}.`,
    "After its planned failover a VM runs on vSphere, out of reach of Run Command: a VM with an onPremisesIp in a tier with a healthProbe is probed there once ASR's job has started it, and the tier's names and routes are set back only once each such probe answers; the target-region DC is verified before the first planned failover.",
    `DNS records and routes are set back to the values the failover run ${failoverRunId} found, and only while they still hold what that run wrote: a record someone changed since is left as it is, and the run stops to say so.`,
  ];

  const steps: Step[] = vms.map((vm) => ({
    kind: "awaitFailbackReplication",
    id: awaitFailbackReplicationId(vm.name),
    dependsOn: [],
    tier: vm.tier,
    target: vm.name,
    vm: vm.name,
  }));
  steps.push(
    gate(
      "approve",
      vms.map((vm) => awaitFailbackReplicationId(vm.name)),
    ),
  );
  steps.push({ kind: "verifyTargetDc", id: VERIFY_DC_STEP_ID, dependsOn: [decisionGateId("approve")], target: "target-dc" });

  const inScope = new Set(tiersInScope.map((t) => t.name));
  for (const tier of tiersInScope) {
    const upstream = nearestUpstream(estate, tier.name, inScope);
    const startAfter = upstream.length > 0 ? upstream.map(tierReadyId) : [VERIFY_DC_STEP_ID];
    const tierVms = vms.filter((vm) => vm.tier === tier.name);
    const failbacks: Step[] = tierVms.map((vm) => ({
      kind: "plannedFailback",
      id: plannedFailbackId(vm.name),
      dependsOn: startAfter,
      tier: tier.name,
      target: vm.name,
      vm: vm.name,
      recoveryPointType,
    }));
    const probes = onPremisesProbes(tier, tierVms, notes);
    // Each VM's gate: its probe on vSphere where it has one, else its planned failover.
    const after = tierVms.map((vm) => (probes.some((p) => p.vm === vm.name) ? onPremisesProbeId(vm.name) : plannedFailbackId(vm.name)));
    const wholeTier = tierVms.length === estate.vms.filter((vm) => vm.tier === tier.name).length;
    const restores = wholeTier ? restoreStepsFor(estate, tier.name, after, failoverRunId) : [];
    if (!wholeTier && hasNetworkChanges(estate, tier.name))
      notes.push(`Tier '${tier.name}' is only partly in scope: its routes and DNS records are left as the failover set them.`);
    steps.push(...failbacks, ...probes, ...restores, tierReady(tier.name, [...after, ...restores.map((s) => s.id)]));
  }

  const allTiersReady = tiersInScope.map((t) => tierReadyId(t.name));
  const reprotects: Step[] = [];
  for (const vm of vms) {
    const commitId = `commit:${vm.name}`;
    steps.push({ kind: "commit", id: commitId, dependsOn: allTiersReady, tier: vm.tier, target: vm.name, vm: vm.name });
    reprotects.push({ kind: "reprotectToAzure", id: reprotectToAzureId(vm.name), dependsOn: [commitId], tier: vm.tier, target: vm.name, vm: vm.name });
  }
  steps.push(...reprotects);
  steps.push({ kind: "notify", id: NOTIFY_STEP_ID, dependsOn: reprotects.map((s) => s.id), target: "run", event: "runCompleted" });
  return { mode: "failback", steps, notes };
}

/**
 * The HTTP probe of each VM of the tier on vSphere, once its planned failover has started it: the tier's
 * healthProbe at the VM's onPremisesIp, as the failover probes it at its recoveryIp. A VM without an
 * onPremisesIp is not probed, and the plan says so.
 */
function onPremisesProbes(tier: Tier, tierVms: readonly Vm[], notes: string[]): HealthProbeStep[] {
  const probe = tier.healthProbe;
  if (!probe) return [];
  const unknown = tierVms.filter((vm) => vm.onPremisesIp === undefined).map((vm) => vm.name);
  if (unknown.length > 0)
    notes.push(
      `Tier '${tier.name}': ${unknown.join(", ")} name(s) no onPremisesIp, so their application is not probed on vSphere before the tier's names and routes go back.`,
    );
  return tierVms.flatMap((vm) =>
    vm.onPremisesIp === undefined
      ? []
      : [
          {
            kind: "healthProbe" as const,
            id: onPremisesProbeId(vm.name),
            dependsOn: [plannedFailbackId(vm.name)],
            tier: tier.name,
            target: vm.name,
            vm: vm.name,
            url: `${probe.scheme}://${vm.onPremisesIp}:${probe.port}${probe.path}`,
          },
        ],
  );
}

/** The tier's routes, Azure DNS and AD DNS records, each set back from the failover run's journal. */
function restoreStepsFor(estate: Estate, tier: string, after: readonly string[], failoverRunId: string): Step[] {
  const routes = routeSteps(estate, tier, (r, fields) => ({
    kind: "restoreRoute",
    id: restoreRouteId(r.routeTable, r.route),
    dependsOn: after,
    ...fields,
    failoverRunId,
  }));
  const records = dnsRecordSteps(estate, tier, after, (d, fields) => ({
    kind: "restoreDns",
    id: restoreDnsId(d.zoneType, d.zone, d.name),
    ...fields,
    failoverRunId,
  }));
  return [...routes, ...records, ...restoreAdDnsStepsFor(estate, tier, after, failoverRunId)];
}
