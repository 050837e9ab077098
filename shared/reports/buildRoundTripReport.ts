import type { Estate } from "../domain/estate.js";
import type { RunRecord, StepRecord } from "../ports/runStore.js";
import { buildRunReport } from "./buildRunReport.js";
import { failbackDowntime } from "./failbackDowntime.js";
import type {
  RestoreStatus,
  RoundTripDnsChange,
  RoundTripPhase,
  RoundTripPhaseName,
  RoundTripReport,
  RoundTripRouteChange,
  RoundTripStep,
  RoundTripTierSpan,
  RoundTripVm,
} from "./roundTripReport.js";
import { roundTripPhaseOf } from "./roundTripRuns.js";
import { tiersInDependencyOrder } from "./tierOrder.js";

/** One run of the round trip with its step records, as the run store holds them. */
export interface RoundTripRun {
  readonly run: RunRecord;
  readonly steps: readonly StepRecord[];
}

interface PhaseRun extends RoundTripRun {
  readonly phase: RoundTripPhaseName;
}

const seconds = (fromIso: string, toMs: number): number => Math.max(0, Math.round((toMs - Date.parse(fromIso)) / 1000));
const kindOf = (r: StepRecord): string => r.step.kind;
const vmOf = (r: StepRecord): string | undefined => ("vm" in r.step && typeof r.step.vm === "string" ? r.step.vm : undefined);
const latest = (values: readonly (string | null | undefined)[]): string | null =>
  values.reduce<string | null>((best, v) => (typeof v === "string" && (best === null || v > best) ? v : best), null);
const earliest = (values: readonly (string | null | undefined)[]): string | null =>
  values.reduce<string | null>((best, v) => (typeof v === "string" && (best === null || v < best) ? v : best), null);

/**
 * The round trip on one timeline, from the run records of its runs (roundTripRuns.ts picks them:
 * the failover run and those whose request names it). Pure: `now` stands for the end of what still runs.
 */
export function buildRoundTripReport(estate: Estate, runs: readonly RoundTripRun[], now: Date): RoundTripReport {
  const ordered: PhaseRun[] = [...runs]
    .sort((a, b) => a.run.startedAt.localeCompare(b.run.startedAt))
    .flatMap((r) => {
      const phase = roundTripPhaseOf(r.run);
      return phase ? [{ ...r, phase }] : [];
    });
  const failoverRun = ordered.find((r) => r.phase === "failover");
  if (!failoverRun) throw new Error("a round trip starts with its unplanned failover run");
  const of = (phase: RoundTripPhaseName): PhaseRun[] => ordered.filter((r) => r.phase === phase);
  const prepRuns = of("failbackPrep");
  const failbackRuns = of("failback");
  const lastFailback = failbackRuns.at(-1);
  const last = ordered.at(-1) ?? failoverRun;
  const status: RoundTripReport["status"] =
    lastFailback?.run.status === "succeeded" && last === lastFailback ? "complete" : last.run.status === "failed" || last.run.status === "cancelled" ? "stopped" : "inProgress";
  const startedAt = failoverRun.run.startedAt;
  const finishedAt = status === "inProgress" ? null : (last.run.finishedAt ?? null);
  const endMs = finishedAt ? Date.parse(finishedAt) : now.getTime();

  const failoverReport = buildRunReport(estate, failoverRun.run, failoverRun.steps, now);
  const dnsChanges = dnsChangesOf(failoverRun.steps, failbackRuns);
  const routeChanges = routeChangesOf(failoverRun.steps, failbackRuns);
  const vms = vmsOf(estate, ordered);
  const touched = new Set(ordered.flatMap((r) => r.steps.flatMap((s) => (s.step.tier === undefined ? [] : [s.step.tier]))));
  const tiers = tiersInDependencyOrder(estate).filter((t) => touched.has(t));
  const report: Omit<RoundTripReport, "summary" | "nextSteps"> = {
    roundTripId: failoverRun.run.runId,
    estate: failoverRun.run.estate,
    status,
    startedAt,
    finishedAt,
    durationSeconds: seconds(startedAt, endMs),
    phases: ordered.map((r) => phaseOf(r, startedAt, now)),
    failover: {
      runId: failoverReport.runId,
      rtoSeconds: failoverReport.rtoSeconds,
      rtoFromDetectionSeconds: failoverReport.rtoFromDetectionSeconds,
      rtoTargetSeconds: failoverReport.rtoTargetSeconds,
      rtoMet: failoverReport.outcome === "running" ? null : failoverReport.recovered && failoverReport.rtoFromDetectionSeconds <= failoverReport.rtoTargetSeconds,
      dataLossWindowSeconds: failoverReport.dataLossWindowSeconds,
      rpoTargetSeconds: failoverReport.rpoTargetSeconds,
    },
    replicationBack: replicationBackOf(prepRuns, lastFailback),
    failback: lastFailback ? failbackOf(lastFailback, tiers) : null,
    tiers,
    tierSpans: ordered.flatMap((r) => tierSpansOf(r, tiers)),
    vms,
    dnsChanges,
    routeChanges,
    steps: ordered.flatMap(stepsOf).sort((a, b) => (a.startedAt ?? "\uffff").localeCompare(b.startedAt ?? "\uffff")),
  };
  return { ...report, summary: summaryOf(report), nextSteps: nextStepsOf(report, last) };
}

function phaseOf(r: PhaseRun, tripStart: string, now: Date): RoundTripPhase {
  const end = r.run.finishedAt ? Date.parse(r.run.finishedAt) : now.getTime();
  return {
    phase: r.phase,
    runId: r.run.runId,
    mode: r.run.mode,
    trigger: r.run.trigger,
    outcome: r.run.status,
    failureReason: r.run.failureReason ?? null,
    startedAt: r.run.startedAt,
    finishedAt: r.run.finishedAt ?? null,
    startOffsetSeconds: seconds(tripStart, Date.parse(r.run.startedAt)),
    durationSeconds: seconds(r.run.startedAt, end),
    approvedBy: r.run.decisions?.approve?.byName ?? null,
    stepsSucceeded: r.steps.filter((s) => s.status === "succeeded").length,
    steps: r.steps.length,
  };
}

function stepsOf(r: PhaseRun): RoundTripStep[] {
  return r.steps.map((s) => ({
    phase: r.phase,
    runId: r.run.runId,
    id: s.step.id,
    kind: kindOf(s),
    target: s.step.target,
    tier: s.step.tier ?? null,
    status: s.status,
    startedAt: s.startedAt ?? null,
    finishedAt: s.finishedAt ?? null,
  }));
}

function tierSpansOf(r: PhaseRun, tiers: readonly string[]): RoundTripTierSpan[] {
  return tiers.flatMap((tier) => {
    const started = r.steps.filter((s) => s.step.tier === tier && s.startedAt !== undefined);
    const start = earliest(started.map((s) => s.startedAt));
    if (start === null) return [];
    const open = started.some((s) => s.finishedAt === undefined);
    return [{ phase: r.phase, runId: r.run.runId, tier, startedAt: start, finishedAt: open ? null : latest(started.map((s) => s.finishedAt)) }];
  });
}

/** When the latest succeeded step of `kind` for `vm` among `runs` ended. */
function doneAt(runs: readonly PhaseRun[], kind: string, vm: string): string | null {
  return latest(runs.flatMap((r) => r.steps.filter((s) => kindOf(s) === kind && vmOf(s) === vm && s.status === "succeeded").map((s) => s.finishedAt)));
}

function vmsOf(estate: Estate, ordered: readonly PhaseRun[]): RoundTripVm[] {
  const inTrip = new Set(ordered.flatMap((r) => r.steps.flatMap((s) => vmOf(s) ?? [])));
  const failover = ordered.filter((r) => r.phase === "failover");
  const prep = ordered.filter((r) => r.phase === "failbackPrep");
  const back = ordered.filter((r) => r.phase === "failback");
  return estate.vms
    .filter((vm) => inTrip.has(vm.name))
    .map((vm) => ({
      vm: vm.name,
      tier: vm.tier,
      failedOverAt: doneAt(failover, "failover", vm.name),
      committedAt: doneAt(failover, "commit", vm.name),
      reprotectedToOnPremisesAt: doneAt(prep, "reprotect", vm.name),
      replicationBackHealthyAt: doneAt(back, "awaitFailbackReplication", vm.name),
      failedBackAt: doneAt(back, "plannedFailback", vm.name),
      failbackCommittedAt: doneAt(back, "commit", vm.name),
      reprotectedToAzureAt: doneAt(back, "reprotectToAzure", vm.name),
    }));
}

/** What the failback runs did with the value a failover step moved: the latest run that has the restore step decides. */
function restoreOf(failbackRuns: readonly PhaseRun[], restoreId: string): { restore: RestoreStatus; record: StepRecord | undefined } {
  const record = [...failbackRuns].reverse().flatMap((r) => r.steps.filter((s) => s.step.id === restoreId))[0];
  if (!record) return { restore: "notPlanned", record };
  if (record.status === "succeeded") return { restore: (record.journal.output as { removed?: true } | undefined)?.removed ? "removed" : "restored", record };
  return { restore: record.status === "failed" ? "notRestored" : "pending", record };
}

/** The failover's DNS flips: Azure DNS and Private DNS (`updateDns`), and the AD-integrated DNS on the DCs (`updateAdDns`). */
const DNS_FLIPS: ReadonlySet<string> = new Set(["updateDns", "updateAdDns"]);

/** A DNS value as the flips journal it: Azure DNS steps as a list of addresses, AD DNS steps as `{ addresses, ttl }`. */
function addressesOf(value: unknown): readonly string[] | undefined {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  const addresses = (value as { addresses?: unknown } | null | undefined)?.addresses;
  return Array.isArray(addresses) ? addresses.filter((v): v is string => typeof v === "string") : undefined;
}

function dnsChangesOf(failoverSteps: readonly StepRecord[], failbackRuns: readonly PhaseRun[]): RoundTripDnsChange[] {
  return failoverSteps.flatMap((r) => {
    if (!DNS_FLIPS.has(kindOf(r)) || r.status !== "succeeded") return [];
    const step = r.step as { readonly zoneType?: RoundTripDnsChange["zoneType"]; readonly addresses?: readonly string[] };
    const output = r.journal.output as { from?: unknown; to?: unknown } | undefined;
    const onPremises = addressesOf(output?.from) ?? addressesOf(r.journal.previous) ?? [];
    const { restore, record } = restoreOf(failbackRuns, `restore-${r.step.id}`);
    const restored = addressesOf((record?.journal.output as { to?: unknown } | undefined)?.to);
    return [
      {
        record: r.step.target,
        zoneType: step.zoneType ?? "activeDirectory",
        onPremises: restore === "restored" ? (restored ?? onPremises) : onPremises,
        recovery: addressesOf(output?.to) ?? step.addresses ?? [],
        movedAt: r.finishedAt ?? null,
        restore,
        restoredAt: restore === "restored" ? (record?.finishedAt ?? null) : null,
        detail: record ? (record.error ?? record.detail ?? null) : null,
      },
    ];
  });
}

function routeChangesOf(failoverSteps: readonly StepRecord[], failbackRuns: readonly PhaseRun[]): RoundTripRouteChange[] {
  return failoverSteps.flatMap((r) => {
    if (r.step.kind !== "updateRoute" || r.status !== "succeeded") return [];
    const output = r.journal.output as { nextHopIpAddress?: string } | undefined;
    const previous = r.journal.previous as { nextHopIpAddress?: string } | null | undefined;
    const { restore, record } = restoreOf(failbackRuns, `restore-${r.step.id}`);
    return [
      {
        route: r.step.route,
        routeTable: r.step.routeTable,
        onPremises: previous?.nextHopIpAddress ?? null,
        recovery: output?.nextHopIpAddress ?? "",
        movedAt: r.finishedAt ?? null,
        restore,
        restoredAt: restore === "restored" ? (record?.finishedAt ?? null) : null,
        detail: record ? (record.error ?? record.detail ?? null) : null,
      },
    ];
  });
}

/**
 * Replication back to vSphere starts with the first failback preparation; the failback run's waits
 * say when it was seen healthy for every VM (an upper bound: it may have caught up before the run looked).
 */
function replicationBackOf(prepRuns: readonly PhaseRun[], failback: PhaseRun | undefined): RoundTripReport["replicationBack"] {
  const first = prepRuns[0];
  if (!first) return null;
  const waits = failback?.steps.filter((s) => kindOf(s) === "awaitFailbackReplication") ?? [];
  const healthyAt = waits.length > 0 && waits.every((s) => s.status === "succeeded") ? latest(waits.map((s) => s.finishedAt)) : null;
  return { startedAt: first.run.startedAt, healthyAt, seconds: healthyAt === null ? null : seconds(first.run.startedAt, Date.parse(healthyAt)) };
}

function failbackOf(r: PhaseRun, tierOrder: readonly string[]): NonNullable<RoundTripReport["failback"]> {
  const whole = failbackDowntime(r.steps);
  const failedBack = new Set(r.steps.flatMap((s) => (kindOf(s) === "plannedFailback" && s.step.tier !== undefined ? [s.step.tier] : [])));
  const tiers = tierOrder.filter((t) => failedBack.has(t));
  return {
    runId: r.run.runId,
    approvedBy: r.run.decisions?.approve?.byName ?? null,
    downtimeStartedAt: whole.from,
    downtimeEndedAt: whole.to,
    downtimeSeconds: whole.seconds,
    tiers: tiers.map((tier) => ({ tier, downtimeSeconds: failbackDowntime(r.steps.filter((s) => s.step.tier === tier)).seconds })),
  };
}

type Facts = Omit<RoundTripReport, "summary" | "nextSteps">;

function summaryOf(r: Facts): string {
  const notRestored = [...r.dnsChanges.filter((c) => c.restore === "notRestored").map((c) => c.record), ...r.routeChanges.filter((c) => c.restore === "notRestored").map((c) => c.route)];
  const backOnAzure = r.vms.filter((v) => v.reprotectedToAzureAt !== null).length;
  if (r.status === "complete") {
    const count = (restore: "restored" | "removed"): string =>
      `${r.dnsChanges.filter((c) => c.restore === restore).length} DNS record(s) and ${r.routeChanges.filter((c) => c.restore === restore).length} route(s)`;
    const removed = [...r.dnsChanges, ...r.routeChanges].some((c) => c.restore === "removed") ? `; ${count("removed")} the failover created removed` : "";
    const names = `${count("restored")} set back${removed}`;
    const left = notRestored.length > 0 ? `; left as someone changed them: ${notRestored.join(", ")}` : "";
    return `Round trip complete: ${backOnAzure} VM(s) run on-premises again and replicate to Azure; ${names}${left}.`;
  }
  const lastPhase = r.phases.at(-1);
  const where =
    lastPhase?.phase === "failover"
      ? "the site runs in Azure"
      : lastPhase?.phase === "failbackPrep"
        ? "replication back to vSphere is being set up or catching up"
        : "the failback to vSphere is under way";
  return r.status === "stopped" ? `Round trip stopped: ${lastPhase?.phase ?? "failover"} run ${lastPhase?.runId ?? r.roundTripId} ${lastPhase?.outcome ?? "failed"}; ${where}.` : `Round trip in progress: ${where}.`;
}

function nextStepsOf(r: Facts, last: PhaseRun): string[] {
  const runPath = `/api/runs/${last.run.runId}`;
  const link = `"failoverRunId": "${r.roundTripId}"`;
  if (r.status === "complete") {
    const left = [...r.dnsChanges.filter((c) => c.restore === "notRestored").map((c) => c.record), ...r.routeChanges.filter((c) => c.restore === "notRestored").map((c) => c.route)];
    return left.length > 0
      ? [`Check the names and routes someone changed since the failover and set them as they should be now: ${left.join(", ")} (the failback left them as it found them).`]
      : ["Nothing: the estate runs on-premises and is protected towards Azure again."];
  }
  if (r.status === "stopped") {
    const failed = last.steps.filter((s) => s.status === "failed").map((s) => s.step.id);
    return [
      failed.length > 0
        ? `Fix the cause of the failed step(s) of run ${last.run.runId} (${failed.join(", ")}), then resume it (POST ${runPath}/resume): done steps are not repeated.`
        : `Run ${last.run.runId} was ${last.run.status}: start that phase again (POST /api/failover with ${link}).`,
    ];
  }
  const gate = last.steps.find((s) => s.step.kind === "awaitDecision" && (s.status === "waiting" || s.status === "running"));
  if (gate && gate.step.kind === "awaitDecision") {
    const why = last.phase === "failback" && gate.step.decision === "approve" ? ": the planned failover back causes downtime" : "";
    return [`An approver (not the requester) decides: POST ${runPath}/${gate.step.decision}${why}.`];
  }
  if (last.run.status === "running") return [`Run ${last.run.runId} is in progress: follow it (GET ${runPath}).`];
  if (last.phase === "failover") return [`When the on-premises site is back, prepare the failback: POST /api/failover {"mode": "failback-prep", ${link}}.`];
  if (last.phase === "failbackPrep")
    return [
      `When replication back to vSphere has caught up for every VM (a dry run shows each: POST /api/failover {"mode": "failback", ${link}, "dryRun": true}), fail back: the same without dryRun.`,
    ];
  return [`Follow run ${last.run.runId} (GET ${runPath}).`];
}
