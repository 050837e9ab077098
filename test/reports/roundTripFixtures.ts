import type { FailoverRequest, Step } from "../../shared/domain/plan.js";
import { planFailover } from "../../shared/domain/planFailover.js";
import type { RunRecord, RunStatus, StepJournal, StepRecord, StepStatus } from "../../shared/ports/runStore.js";
import type { RoundTripRun } from "../../shared/reports/buildRoundTripReport.js";
import { sampleEstate } from "../helpers.js";

/**
 * The sample estate's round trip as run records: a failover (0-50 min), its failback preparation
 * (120-132 min) and a failback (180-260 min), each step at a known minute.
 */
export const estate = sampleEstate();
const START = Date.parse("2026-03-07T03:00:00.000Z");
export const at = (minutes: number): string => new Date(START + minutes * 60_000).toISOString();

export const FAILOVER_ID = "run-failover";
export const APPROVER = { by: "oid-approver", byName: "anna.approver@contoso.com" };

interface RunSpec {
  readonly runId: string;
  readonly request: FailoverRequest;
  readonly status: RunStatus;
  readonly start: number;
  readonly end?: number;
  /** A step's status, start and end (minutes) and journal; undefined: pending, never started. */
  readonly stepOf: (step: Step, index: number) => { status: StepStatus; start?: number; end?: number; journal?: StepJournal; error?: string } | undefined;
}

function runOf(spec: RunSpec): RoundTripRun {
  const plan = planFailover(estate, spec.request);
  const run: RunRecord = {
    runId: spec.runId,
    estate: estate.name,
    request: spec.request,
    mode: spec.request.mode,
    trigger: "otto.operator@contoso.com: round trip",
    notes: [],
    status: spec.status,
    startedAt: at(spec.start),
    ...(spec.end !== undefined ? { finishedAt: at(spec.end) } : {}),
    decisions: { approve: { ...APPROVER, at: at(spec.start + 1) } },
  };
  const steps = plan.steps.map((step, i): StepRecord => {
    const s = spec.stepOf(step, i);
    return {
      runId: spec.runId,
      step,
      status: s?.status ?? "pending",
      successors: [],
      satisfied: [],
      seq: 0,
      retries: 0,
      journal: s?.journal ?? {},
      ...(s?.start !== undefined ? { startedAt: at(s.start) } : {}),
      ...(s?.end !== undefined ? { finishedAt: at(s.end) } : {}),
      ...(s?.error !== undefined ? { error: s.error } : {}),
    };
  });
  return { run, steps };
}

/** Where each tier's work sits in a run (minutes from the run's start), by dependency order. */
const TIER_SLOT: Readonly<Record<string, number>> = { identity: 2, edge: 12, api: 22, web: 32, recommendation: 32 };
const slot = (step: Step): number => (step.tier === undefined ? 0 : (TIER_SLOT[step.tier] ?? 0));

export const failover = runOf({
  runId: FAILOVER_ID,
  request: { mode: "unplanned", scope: { kind: "all" }, approvalRequired: true },
  status: "succeeded",
  start: 0,
  end: 50,
  stepOf: (step) => {
    const t = slot(step);
    if (step.kind === "updateDns") return { status: "succeeded", start: t + 8, end: t + 9, journal: { output: { from: ["10.1.0.10"], to: step.addresses } } };
    if (step.kind === "updateRoute")
      return { status: "succeeded", start: t + 8, end: t + 9, journal: { previous: { nextHopIpAddress: "10.1.0.4" }, output: { nextHopIpAddress: "10.50.0.4" } } };
    if (step.kind === "commit") return { status: "succeeded", start: 44, end: 46 };
    if (step.kind === "notify") return { status: "succeeded", start: 49, end: 50 };
    if (step.kind === "tierReady") return { status: "succeeded", start: t + 9, end: t + 9 };
    return { status: "succeeded", start: t, end: t + 8 };
  },
});

export const prep = runOf({
  runId: "run-prep",
  request: { mode: "failback-prep", scope: { kind: "all" }, approvalRequired: true, failoverRunId: FAILOVER_ID },
  status: "succeeded",
  start: 120,
  end: 132,
  stepOf: (step) => ({ status: "succeeded", start: 121, end: step.kind === "notify" ? 132 : 131 }),
});

/** The failback run: waits end at 200, approval at 201, then tiers from 202; `refuse` names a restore step that found the record changed. */
export function failbackRun(options: { readonly status: RunStatus; readonly refuse?: string; readonly upTo?: string }): RoundTripRun {
  return runOf({
    runId: "run-failback",
    request: { mode: "failback", scope: { kind: "all" }, failoverRunId: FAILOVER_ID },
    status: options.status,
    start: 180,
    ...(options.status === "running" ? {} : { end: 260 }),
    stepOf: (step) => {
      const t = 200 + slot(step);
      if (step.kind === "awaitFailbackReplication") return { status: "succeeded", start: 180, end: 200 };
      if (step.kind === "awaitDecision") return { status: "succeeded", start: 200, end: 201 };
      if (options.upTo !== undefined && step.tier !== undefined && step.tier !== options.upTo) return undefined;
      if (step.id === options.refuse) return { status: "failed", start: t + 8, end: t + 8, error: "www.contoso.com holds 203.0.113.99, not what the failover wrote (20.1.1.1): left as it is" };
      if (step.kind === "restoreDns") return { status: "succeeded", start: t + 8, end: t + 9, journal: { output: { from: ["20.1.1.1"], to: ["10.1.0.10"] } } };
      if (step.kind === "restoreRoute") return { status: "succeeded", start: t + 8, end: t + 9, journal: { output: { nextHopIpAddress: "10.1.0.4" } } };
      if (step.kind === "tierReady") return { status: "succeeded", start: t + 9, end: t + 9 };
      if (step.kind === "plannedFailback") return { status: "succeeded", start: t, end: t + 8 };
      if (step.kind === "commit") return { status: "succeeded", start: 242, end: 244 };
      if (step.kind === "reprotectToAzure") return { status: "succeeded", start: 244, end: 258 };
      if (step.kind === "notify") return { status: "succeeded", start: 259, end: 260 };
      return { status: "succeeded", start: 201, end: 202 };
    },
  });
}

