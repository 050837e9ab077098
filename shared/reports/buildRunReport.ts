import type { Estate } from "../domain/estate.js";
import { describeRecoveryPointChoice } from "../domain/recoveryPoint.js";
import type { RunRecord, StepRecord } from "../ports/runStore.js";
import { estateAfterRun } from "./estateAfterRun.js";
import { failbackDowntime } from "./failbackDowntime.js";
import type { DnsChange, RouteChange, RunReport, StepReport } from "./runReport.js";
import { testVmCleanupOf, type DrillCleanupFacts } from "./testVmCleanup.js";
import { tiersInDependencyOrder } from "./tierOrder.js";

/**
 * Builds the run report from durable state. Pure: `now` stands for the end of a running run;
 * `cleanup` is what the store holds beside a failed or cancelled drill (its cleanup run, the grace period).
 */
export function buildRunReport(estate: Estate, run: RunRecord, records: readonly StepRecord[], now: Date, cleanup?: DrillCleanupFacts): RunReport {
  const started = Date.parse(run.startedAt);
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now.getTime();
  const order = new Map(records.map((r, i) => [r.step.id, i]));
  const detectedAt = run.detectedAt !== undefined && Date.parse(run.detectedAt) <= started ? run.detectedAt : run.startedAt;
  const rtoEnd = recoveredAt(records) ?? end;
  const dnsChanges = records.flatMap(dnsChange);
  const routeChanges = records.flatMap(routeChange);
  const inRun = new Set(records.flatMap((r) => (r.step.tier === undefined ? [] : [r.step.tier])));
  // Started steps by start time, then the ones not started, each in plan order (ISO times compare as text).
  const startKey = (r: StepRecord): string => (r.startedAt === undefined ? "\uffff" : r.startedAt);
  const steps = [...records].sort((a, b) => (startKey(a) < startKey(b) ? -1 : startKey(a) > startKey(b) ? 1 : 0) || (order.get(a.step.id) ?? 0) - (order.get(b.step.id) ?? 0));
  return {
    runId: run.runId,
    estate: run.estate,
    mode: run.mode,
    trigger: run.trigger,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt ?? null,
    outcome: run.status,
    failureReason: run.failureReason ?? null,
    rtoSeconds: Math.round((rtoEnd - started) / 1000),
    detectedAt,
    rtoFromDetectionSeconds: Math.round((rtoEnd - Date.parse(detectedAt)) / 1000),
    rtoTargetAppliesTo: "detection",
    recovered: run.status === "succeeded",
    durationSeconds: Math.round((end - started) / 1000),
    rtoTargetSeconds: estate.objectives.rtoMinutes * 60,
    dataLossWindowSeconds: dataLossWindow(records),
    rpoTargetSeconds: estate.objectives.rpoMinutes * 60,
    recoveryPointChoice: recoveryPointChoiceOf(records),
    dnsChanges,
    routeChanges,
    tiers: tiersInDependencyOrder(estate).filter((t) => inRun.has(t)),
    estateAfter: estateAfterRun(
      { runId: run.runId, mode: run.mode, outcome: run.status, dnsChanges, routeChanges, testVmCleanup: testVmCleanupOf(run, cleanup) },
      records,
    ),
    notes: run.notes,
    steps: steps.map(stepReport),
    ...(run.mode === "failback" ? { downtimeSeconds: failbackDowntime(records).seconds } : {}),
    ...(run.armUsage ? { armUsage: run.armUsage } : {}),
  };
}

/** ASR's InMageRcmFailback recoveryPointType, in words (what the on-premises VMs start from). */
const FAILBACK_POINT_MEANING: Readonly<Record<string, string>> = {
  ApplicationConsistent: "the on-premises VMs start from the latest application-consistent point ASR holds of the Azure VMs",
  CrashConsistent: "the on-premises VMs start from the latest crash-consistent point ASR holds of the Azure VMs (as after a power loss)",
};

function recoveryPointChoiceOf(records: readonly StepRecord[]): { choice: string; meaning: string } | null {
  const back = records.find((r) => r.step.kind === "plannedFailback");
  if (back && back.step.kind === "plannedFailback") {
    const type = back.step.recoveryPointType;
    return { choice: type, meaning: FAILBACK_POINT_MEANING[type] ?? type };
  }
  const failover = records.find((r) => r.step.kind === "failover");
  if (!failover || failover.step.kind !== "failover") return null;
  const choice = failover.step.recoveryPoint;
  return { choice: typeof choice === "string" ? choice : `at ${choice.at}`, meaning: describeRecoveryPointChoice(choice) };
}

/**
 * With a commit or cleanup gate, recovery is done when the last tier is ready (epoch ms), or
 * undefined (no such gate, or not every tier ready yet).
 */
function recoveredAt(records: readonly StepRecord[]): number | undefined {
  const gated = records.some((r) => r.step.kind === "awaitDecision" && r.step.decision !== "approve");
  const tiers = records.filter((r) => r.step.kind === "tierReady");
  if (!gated || tiers.length === 0 || !tiers.every((r) => r.status === "succeeded" && r.finishedAt)) return undefined;
  return Math.max(...tiers.map((r) => Date.parse(r.finishedAt ?? "")));
}

function stepReport(record: StepRecord): StepReport {
  const started = record.startedAt !== undefined;
  return {
    id: record.step.id,
    kind: record.step.kind,
    target: record.step.target,
    tier: record.step.tier ?? null,
    status: record.status,
    startedAt: record.startedAt ?? null,
    finishedAt: record.finishedAt ?? null,
    attempts: started ? record.retries + 1 : 0,
    detail: withStoreOutages(record.error ?? record.detail ?? null, record),
  };
}

/** A step put off by an unreachable state store says so, and for how long, after what it did. */
function withStoreOutages(detail: string | null, record: StepRecord): string | null {
  const outages = record.journal.storeOutages ?? [];
  if (outages.length === 0) return detail;
  const seconds = Math.round(outages.reduce((sum, o) => sum + Date.parse(o.until) - Date.parse(o.since), 0) / 1000);
  const delay = `delayed ${seconds} s by an unreachable state store (${outages.reduce((sum, o) => sum + o.deferrals, 0)} deferrals)`;
  return detail === null ? delay : `${detail}; ${delay}`;
}

/**
 * How far behind the live VM each recovery point was when that VM's failover was started: the
 * writes a failover at that moment gives up. The report shows the worst VM.
 */
function dataLossWindow(records: readonly StepRecord[]): number | null {
  const windows = records.flatMap((r) => {
    const { recoveryPoint, intentAt } = r.journal;
    return r.step.kind === "failover" && recoveryPoint && intentAt ? [Date.parse(intentAt) - Date.parse(recoveryPoint.time)] : [];
  });
  return windows.length === 0 ? null : Math.max(0, Math.round(Math.max(...windows) / 1000));
}

/** A record set the run moved: a failover's flip, or a failback's setting back (its journal says from and to). */
function dnsChange(record: StepRecord): DnsChange[] {
  const { step } = record;
  if (record.status !== "succeeded" || (step.kind !== "updateDns" && step.kind !== "restoreDns")) return [];
  const output = record.journal.output as { from?: readonly string[]; to?: readonly string[]; removed?: true } | undefined;
  const to = output?.to ?? (step.kind === "updateDns" ? step.addresses : undefined);
  // A restore that found nothing to set back wrote nothing: no change to list.
  if (to === undefined) return [];
  return [{ record: step.target, zoneType: step.zoneType, from: output?.from ?? [], to, ...(output?.removed ? { removed: true as const } : {}) }];
}

/** A route the run moved: towards the recovered NAT (failover), or back to its earlier next hop (failback). */
function routeChange(record: StepRecord): RouteChange[] {
  const { step } = record;
  if (record.status !== "succeeded" || (step.kind !== "updateRoute" && step.kind !== "restoreRoute")) return [];
  const output = record.journal.output as { nextHopIpAddress?: string; from?: string | null; to?: string | null; removed?: true } | undefined;
  const previous = record.journal.previous as { nextHopIpAddress?: string } | null | undefined;
  if (step.kind === "restoreRoute" && output?.removed) return [{ route: step.target, routeTable: step.routeTable, from: output.from ?? null, to: "", removed: true }];
  if (step.kind === "restoreRoute") {
    const to = output?.to ?? output?.nextHopIpAddress;
    return to === undefined ? [] : [{ route: step.target, routeTable: step.routeTable, from: output?.from ?? previous?.nextHopIpAddress ?? null, to }];
  }
  return [{ route: step.target, routeTable: step.routeTable, from: previous?.nextHopIpAddress ?? null, to: output?.nextHopIpAddress ?? "" }];
}
