import type { Estate } from "../domain/estate.js";
import type { FailoverRequest, Plan, Step } from "../domain/plan.js";
import { onPremisesProbeId } from "../domain/planFailback.js";
import { planFailover } from "../domain/planFailover.js";
import { chooseRecoveryPoint, commonMultiVmPoint } from "../domain/recoveryPoint.js";
import { previewCapacity, type CapacityReads, type PreviewCapacity } from "../health/previewCapacity.js";
import type { Clock } from "../ports/clock.js";
import type { DnsPort } from "../ports/dns.js";
import type { RoutePort } from "../ports/routes.js";
import type { RecoveryPointInfo, SiteRecoveryPort } from "../ports/siteRecovery.js";
import type { RunStore } from "../ports/runStore.js";
import { findVault, findVm, protectedItemRef } from "./executors/estateLookup.js";
import { failbackReadiness } from "./executors/failback.js";
import { previewFailbackNetwork } from "./failbackPreview.js";
import { previewAdDns, type PreviewAdDnsChange, type PreviewNetworkFinding } from "./adDnsPreview.js";
import type { HealthReport } from "../domain/health/healthReport.js";

/** What a preview reads: ASR, DNS and routes, never writing anything. */
export interface PreviewReads {
  readonly estate: Estate;
  readonly clock: Clock;
  readonly siteRecovery: SiteRecoveryPort;
  readonly dns: DnsPort;
  readonly routes: RoutePort;
  /** Target sizes and regional vCPU quotas; absent: the preview says nothing of capacity. */
  readonly capacity?: CapacityReads;
  /** The run store: a failback preview reads the failover run's journal (what its names and routes go back to). */
  readonly runs?: RunStore;
  /** The latest nightly report: what it read of the AD names on the target DC, forwarders, VNet DNS, routes (adDnsPreview.ts). */
  readonly latestHealthReport?: () => Promise<HealthReport | undefined>;
}

export interface PreviewVm {
  readonly vm: string;
  readonly tier: string;
  readonly vault: string;
  readonly region: string;
  readonly protectedItem: string;
  /** The point the failover would use now, and how old it is. */
  /** The point the failover would use now (no id: ASR's latest, made at failover), the newest data it keeps, its age, and why. */
  readonly recoveryPoint?: { readonly id?: string; readonly time: string; readonly type: string; readonly ageSeconds: number; readonly explanation: string };
  /** Failback preparation: whether ASR offers Reprotect on the item. */
  readonly reprotect?: { readonly possible: boolean; readonly detail: string };
  /** Failback: how far replication back to vSphere is (ASR's state, health and initial replication progress). */
  readonly failback?: {
    readonly ready: boolean;
    readonly protectionState: string;
    readonly replicationHealth: string;
    readonly progressPercentage?: number;
    readonly detail: string;
    /** Where its application is probed on vSphere before its tier's names go back (null: not probed, see the notes). */
    readonly probeOnPremises: string | null;
  };
  readonly problem?: string;
}

export interface PreviewProblem {
  /** The request field the problem is about (recoveryPoint), or the state that blocks the run (reprotect). */
  readonly field: "recoveryPoint" | "reprotect" | "failback";
  readonly vm?: string;
  readonly message: string;
}

/** The exact plan of a dry run: steps in order, VMs and vaults, recovery points, DNS and route changes, approvals. */
export interface RunPreview {
  readonly dryRun: true;
  readonly mode: FailoverRequest["mode"];
  readonly scope: FailoverRequest["scope"];
  /** Steps by stage: a stage starts once the stages before it are done; steps of one stage run side by side. */
  readonly stages: readonly (readonly string[])[];
  readonly steps: readonly (Step & { readonly stage: number })[];
  readonly vms: readonly PreviewVm[];
  readonly vaults: readonly {
    readonly key: string;
    readonly name: string;
    readonly region: string;
    readonly provider: string;
    readonly onPremises?: { readonly reachable: boolean; readonly detail: string };
  }[];
  readonly dnsChanges: readonly {
    readonly record: string;
    readonly zoneType: "public" | "private";
    readonly zone: string;
    readonly name: string;
    readonly from: readonly string[] | null;
    readonly to: readonly string[];
    readonly ttl: number;
    /** Failback: what the restore will do with it, in words. */
    readonly detail?: string;
  }[];
  /**
   * `to` is null: the next hop is the private IP of `nextHopVm`'s primary NIC, known only once that VM
   * is recovered (read then, after IP forwarding is enabled on that NIC). A failback names the next hop it sets back.
   */
  readonly routeChanges: readonly {
    readonly route: string;
    readonly addressPrefix: string;
    readonly from: string | null;
    readonly to: string | null;
    readonly nextHopVm: string;
    readonly detail: string;
  }[];
  readonly approvalsNeeded: readonly { readonly decision: string; readonly role: string; readonly when: string }[];
  /** Per target region, whether the VMs this run creates fit its vCPU quota, and what to request if not (failover and test failover). */
  readonly capacity?: readonly PreviewCapacity[];
  /** Names in the AD-integrated DNS on the DCs, old -> new, and the last nightly check's network findings (adDnsPreview.ts). */
  readonly adDnsChanges: readonly PreviewAdDnsChange[];
  readonly networkFindings: readonly PreviewNetworkFinding[];
  readonly notes: readonly string[];
  /** Empty: the run would start; otherwise what stops it, named. */
  readonly problems: readonly PreviewProblem[];
  readonly previewedAt: string;
}

/**
 * The plan of a request with what Azure holds now: reads only (recovery points, DNS record sets,
 * routes, protected items, the on-premises fabric), so a dry run changes nothing.
 */
export async function previewRun(reads: PreviewReads, request: FailoverRequest): Promise<RunPreview> {
  const { estate, clock } = reads;
  const now = clock.now();
  const plan = planFailover(estate, request);
  const problems: PreviewProblem[] = [];
  const onPremisesProbeOf = (vm: string): string | null => {
    const probe = plan.steps.find((s) => s.id === onPremisesProbeId(vm));
    return probe?.kind === "healthProbe" ? probe.url : null;
  };

  const vmSteps = plan.steps.filter(
    (s): s is Extract<Step, { kind: "failover" | "reprotect" | "awaitFailbackReplication" }> =>
      s.kind === "failover" || s.kind === "reprotect" || s.kind === "awaitFailbackReplication",
  );
  const groups = new Map<string, Map<string, readonly RecoveryPointInfo[]>>();
  const vms = await Promise.all(
    vmSteps.map(async (step): Promise<PreviewVm> => {
      const vm = findVm(estate, step.vm);
      const vault = findVault(estate, vm.vault);
      const base = { vm: vm.name, tier: vm.tier, vault: vault.name, region: vault.region, protectedItem: vm.protectedItem };
      const ref = protectedItemRef(estate, vm.name);
      if (step.kind === "awaitFailbackReplication") {
        const item = await reads.siteRecovery.getProtectedItem(ref);
        const readiness = failbackReadiness(vm.name, item);
        if (readiness.kind === "notReprotected") problems.push({ field: "failback", vm: vm.name, message: readiness.detail });
        const progress = item.failbackReplication?.progressPercentage;
        return {
          ...base,
          failback: {
            ready: readiness.kind === "ready",
            protectionState: item.protectionState,
            replicationHealth: item.replicationHealth,
            ...(progress !== undefined ? { progressPercentage: progress } : {}),
            detail: readiness.detail,
            probeOnPremises: onPremisesProbeOf(vm.name),
          },
        };
      }
      if (step.kind === "reprotect") {
        const item = await reads.siteRecovery.getProtectedItem(ref);
        const possible = item.allowedOperations.includes("SwitchProtection");
        const detail = possible
          ? "ASR offers reprotect (SwitchProtection): the VM is failed over"
          : `ASR does not offer reprotect (SwitchProtection): state ${item.protectionState}, active on ${item.activeLocation}`;
        if (!possible) problems.push({ field: "reprotect", vm: vm.name, message: detail });
        return { ...base, reprotect: { possible, detail } };
      }
      const [points, item] = await Promise.all([reads.siteRecovery.listRecoveryPoints(ref), reads.siteRecovery.getProtectedItem(ref)]);
      if (item.multiVmGroup)
        groups.set(item.multiVmGroup, (groups.get(item.multiVmGroup) ?? new Map<string, readonly RecoveryPointInfo[]>()).set(vm.name, points));
      const decision = chooseRecoveryPoint(points, step.recoveryPoint, now, estate.objectives.retentionDays, item.lastDataReceived);
      if (!decision.ok) {
        problems.push({ field: "recoveryPoint", vm: vm.name, message: `${vm.name}: ${decision.reason}` });
        return { ...base, problem: decision.reason };
      }
      const { point, dataAsOf, explanation } = decision;
      // The data-loss window is what the point leaves out: everything after the newest data it keeps.
      const ageSeconds = Math.round((now.getTime() - dataAsOf.getTime()) / 1000);
      return {
        ...base,
        recoveryPoint: { ...(point ? { id: point.id, type: point.type } : { type: "Latest" }), time: dataAsOf.toISOString(), ageSeconds, explanation },
      };
    }),
  );

  const vaultKeys = [...new Set(vmSteps.map((s) => findVm(estate, s.vm).vault))];
  const vaults = await Promise.all(
    vaultKeys.map(async (key) => {
      const vault = findVault(estate, key);
      const base = { key, name: vault.name, region: vault.region, provider: vault.provider };
      if (request.mode !== "failback-prep" && request.mode !== "failback") return base;
      const onPremises = await reads.siteRecovery.getOnPremisesReachability(vault);
      if (!onPremises.reachable)
        problems.push({
          field: request.mode === "failback" ? "failback" : "reprotect",
          message: `vault ${vault.name}: the on-premises site is not reachable through ASR (${onPremises.detail})`,
        });
      return { ...base, onPremises };
    }),
  );

  const dnsChanges = await Promise.all(
    plan.steps
      .flatMap((s) => (s.kind === "updateDns" ? [s] : []))
      .map(async (step) => {
        const record = estate.dns.find((d) => d.zoneType === step.zoneType && d.zone === step.zone && d.name === step.name);
        const current = record
          ? await reads.dns.getARecordSet({ zoneType: step.zoneType, resourceGroup: record.resourceGroup, zone: step.zone, name: step.name })
          : undefined;
        return {
          record: step.target,
          zoneType: step.zoneType,
          zone: step.zone,
          name: step.name,
          from: current ? current.addresses : null,
          to: step.addresses,
          ttl: record?.ttl ?? current?.ttl ?? 0,
        };
      }),
  );

  const routeChanges = await Promise.all(
    plan.steps
      .flatMap((s) => (s.kind === "updateRoute" ? [s] : []))
      .map(async (step) => {
        const route = estate.routes.find((r) => r.routeTable === step.routeTable && r.route === step.route);
        const current = route ? await reads.routes.getRoute({ resourceGroup: route.resourceGroup, routeTable: step.routeTable, route: step.route }) : undefined;
        const detail = `next hop: the private IP of ${step.nextHopVm}'s primary NIC, read after its failover, once IP forwarding is enabled on that NIC`;
        return {
          route: step.target,
          addressPrefix: route?.addressPrefix ?? current?.addressPrefix ?? "",
          from: current?.nextHopIpAddress ?? null,
          to: null,
          nextHopVm: step.nextHopVm,
          detail,
        };
      }),
  );

  const adDns = await previewAdDns(reads, plan);
  const restored = await previewFailbackNetwork(reads, plan, (message) => problems.push({ field: "failback", message }));

  const creates = vmSteps.filter((s) => s.kind === "failover").map((s) => s.vm);
  const capacity = reads.capacity && creates.length > 0 && !request.cleanupOnly ? await previewCapacity(estate, creates, reads.capacity) : undefined;
  const stageOf = stages(plan);
  return {
    dryRun: true,
    mode: request.mode,
    scope: request.scope,
    stages: [...new Set(stageOf.values())].sort((a, b) => a - b).map((n) => plan.steps.filter((s) => stageOf.get(s.id) === n).map((s) => s.id)),
    steps: plan.steps.map((s) => ({ ...s, stage: stageOf.get(s.id) ?? 0 })),
    vms,
    vaults,
    dnsChanges: [...dnsChanges, ...restored.dnsChanges],
    routeChanges: [...routeChanges, ...restored.routeChanges],
    ...adDns,
    approvalsNeeded: plan.steps.flatMap((s) =>
      s.kind !== "awaitDecision"
        ? []
        : [
            s.decision === "approve"
              ? {
                  decision: "approve",
                  role: "approver (not the requester)",
                  when:
                    request.mode === "failback" ? "once replication back is ready, before the first planned failover (downtime)" : "before anything is changed",
                }
              : s.decision === "commit"
                ? { decision: "commit", role: "approver", when: "once every tier is ready" }
                : {
                    decision: "cleanup",
                    role: "operator",
                    when:
                      s.proceedAfterSeconds !== undefined
                        ? `any time; on its own ${Math.round(s.proceedAfterSeconds / 60)} min after the last tier is ready`
                        : "any time, once the drill was inspected",
                  },
          ],
    ),
    ...(capacity ? { capacity } : {}),
    notes: [...plan.notes, ...multiVmGroupNotes(groups, estate, request)],
    problems,
    previewedAt: now.toISOString(),
  };
}

/**
 * Item-level failovers choose a point per VM, so VMs of one multi-VM consistency group stay
 * consistent only when every one of them is given the same multi-VM sync point: say which exists.
 */
function multiVmGroupNotes(groups: ReadonlyMap<string, ReadonlyMap<string, readonly RecoveryPointInfo[]>>, estate: Estate, request: FailoverRequest): string[] {
  const choice = request.recoveryPoint ?? estate.recoveryPoint;
  return [...groups.entries()].flatMap(([group, byVm]) => {
    if (byVm.size < 2) return [];
    const names = [...byVm.keys()].join(", ");
    const common = commonMultiVmPoint(byVm);
    if (typeof choice === "object" && common && Date.parse(choice.at) >= common.getTime()) return [];
    return common
      ? [
          `${names} replicate in multi-VM consistency group '${group}': they stay consistent with each other only on a common multi-VM point; the newest is ${common.toISOString()} (recoveryPoint {"at": "${common.toISOString()}"}); with '${typeof choice === "string" ? choice : choice.at}' each VM fails over to its own point.`,
        ]
      : [
          `${names} replicate in multi-VM consistency group '${group}', but ASR lists no multi-VM point common to all of them: each VM fails over to its own point and they may not be consistent with each other.`,
        ];
  });
}

/** Stage of each step: one more than its latest dependency's (the planner lists dependencies first). */
function stages(plan: Plan): Map<string, number> {
  const stage = new Map<string, number>();
  for (const step of plan.steps)
    stage.set(
      step.id,
      step.dependsOn.reduce((max, d) => Math.max(max, (stage.get(d) ?? 0) + 1), 1),
    );
  return stage;
}
