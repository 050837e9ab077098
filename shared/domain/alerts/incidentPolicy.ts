import type { Alerting } from "../estate.js";
import type { ParsedAlert } from "./commonAlert.js";
import type { Signal } from "./classifyAlert.js";
import { NO_INCIDENT, SEEN_LIMIT, type IncidentState, type Playbook } from "./incidentState.js";

export type DecisionOutcome =
  | "duplicate"
  | "ignored"
  | "recorded"
  | "warning"
  | "diagnose"
  | "debouncing"
  | "cancelled"
  | "waitingForSecondSignal"
  | "awaitingApproval"
  | "startRun"
  | "joinedRun"
  | "blockedByKillSwitch"
  | "coolingDown"
  | "noFailback";

/** What the policy decided and why; every decision is recorded as it is. */
export interface Decision {
  readonly outcome: DecisionOutcome;
  readonly reason: string;
  readonly incidentId: string | null;
  readonly playbook?: Playbook;
  readonly runId?: string;
  /** For 'debouncing': when the signal is checked again, and the check's id. */
  readonly check?: { readonly id: string; readonly at: string };
}

/** What the policy needs to know about the incident's run, read by the caller. */
export interface RunInfo {
  readonly runId: string;
  readonly status: "running" | "succeeded" | "failed" | "cancelled";
  readonly finishedAt?: string;
}

export interface PolicyContext {
  readonly alerting: Alerting;
  readonly rpoMinutes: number;
  readonly now: Date;
  /** Used when this signal opens a new incident. */
  readonly newIncidentId: string;
  readonly run?: RunInfo;
}

export interface PolicyResult {
  readonly state: IncidentState;
  readonly decision: Decision;
}

/** Applies one classified alert to the incident. Pure: time and ids come in. */
export function decideOnAlert(current: IncidentState, alert: ParsedAlert, signal: Signal, ctx: PolicyContext): PolicyResult {
  const key = `${alert.alertId}|${alert.condition}`;
  if (current.seen.includes(key)) return { state: current, decision: { outcome: "duplicate", reason: `alert ${alert.alertId} (${alert.condition}) was already handled`, incidentId: current.incidentId } };
  const base = withSeen(expireIncident(current, ctx), key);

  if (signal.kind === "unrelated") return { state: base, decision: { outcome: "ignored", reason: signal.reason, incidentId: base.incidentId } };

  const state = openIncident(base, ctx);
  const decide = (outcome: DecisionOutcome, reason: string, next: IncidentState = state, extra: Partial<Decision> = {}): PolicyResult => ({
    state: next,
    decision: { outcome, reason, incidentId: next.incidentId, ...extra },
  });

  switch (signal.kind) {
    case "circuitDown": {
      const circuitsDown = [...state.circuitsDown.filter((c) => c.id !== signal.circuitId), { id: signal.circuitId, since: alert.firedAt }];
      const allDown = allCircuitsDown(circuitsDown, ctx.alerting);
      // Every circuit alert is evidence of the outage, even the one that only cost redundancy.
      const next = { ...state, circuitsDown, failoverRules: unique([...state.failoverRules, alert.rule]) };
      if (!allDown) {
        return decide("warning", `ExpressRoute ${signal.role} circuit ${shortName(signal.circuitId)} is down; the other circuit still carries traffic, so the link has lost its redundancy (no failover)`, next);
      }
      return failoverSignal(next, "siteFailover", alert, ctx, "both ExpressRoute circuits are down: the site is cut off");
    }
    case "natLost":
      return failoverSignal({ ...state, natLostSince: alert.firedAt }, "edgeFailover", alert, ctx, `the NAT/firewall VM ${signal.vm} is unavailable`);
    case "rpoBreach":
      return decide("diagnose", `replication is behind the ${ctx.rpoMinutes} min RPO: failing over now would lose more data, so nothing fails over; the next health check is brought forward`, { ...state, rpoBreached: true });
    case "circuitUp":
    case "natRecovered":
    case "rpoRecovered":
      return onRecovery(state, signal, alert, ctx);
  }
}

/** The debounce check of a pending failover signal is due. `recoveryPointAgeSeconds` is the oldest newest point across the scope. */
export function decideOnCheck(current: IncidentState, checkId: string, ctx: PolicyContext & { readonly recoveryPointAgeSeconds: number | null }): PolicyResult {
  const { pending } = current;
  const decide = (outcome: DecisionOutcome, reason: string, state: IncidentState = current, extra: Partial<Decision> = {}): PolicyResult => ({
    state,
    decision: { outcome, reason, incidentId: state.incidentId, ...extra },
  });
  if (!pending || pending.checkId !== checkId) return decide("ignored", `check ${checkId} is no longer pending`);
  if (!signalHolds(current, pending.playbook, ctx.alerting)) {
    return decide("cancelled", `the ${describe(pending.playbook)} signal cleared before the ${ctx.alerting.debounceSeconds} s debounce ended`, { ...current, pending: null });
  }
  const gate = failoverGate(current, pending.playbook, ctx);
  if (gate) return { state: { ...gate.state, pending: gate.keepPending ? pending : null }, decision: gate.decision };

  const stale = ctx.recoveryPointAgeSeconds !== null && ctx.recoveryPointAgeSeconds > ctx.rpoMinutes * 60;
  if (ctx.alerting.approvalRequired || stale) {
    const reason = stale
      ? `the newest recovery points are ${Math.round((ctx.recoveryPointAgeSeconds ?? 0) / 60)} min old, beyond the ${ctx.rpoMinutes} min RPO: failing over would lose that much data, so a human must approve`
      : "automatic failovers of this estate need a human approval";
    return decide("awaitingApproval", reason, { ...current, pending: null, awaitingApproval: { playbook: pending.playbook, reason } }, { playbook: pending.playbook });
  }
  return startRun(current, pending.playbook, `the ${describe(pending.playbook)} signal held for ${ctx.alerting.debounceSeconds} s`);
}

/** A human approved the incident's waiting failover. */
export function decideOnApproval(current: IncidentState, by: string, ctx: PolicyContext): PolicyResult {
  const waiting = current.awaitingApproval;
  if (!waiting) return { state: current, decision: { outcome: "ignored", reason: "no failover is waiting for approval", incidentId: current.incidentId } };
  const gate = failoverGate(current, waiting.playbook, ctx, { ignoreApproval: true });
  if (gate) return gate.keepPending ? { state: current, decision: gate.decision } : { state: { ...gate.state, awaitingApproval: null }, decision: gate.decision };
  return startRun({ ...current, awaitingApproval: null }, waiting.playbook, `approved by ${by}`);
}

export function setKillSwitch(current: IncidentState, on: boolean, by: string, reason: string, now: Date): IncidentState {
  return { ...current, killSwitch: { on, by, at: now.toISOString(), reason } };
}

/** The run id an incident's playbook runs under: a repeated start of the same decision finds the same run. */
export function incidentRunId(incidentId: string, playbook: Playbook): string {
  return `${incidentId}-${playbook === "siteFailover" ? "site" : "edge"}`;
}

function failoverSignal(state: IncidentState, playbook: Playbook, alert: ParsedAlert, ctx: PolicyContext, what: string): PolicyResult {
  const next = { ...state, failoverRules: unique([...state.failoverRules, alert.rule]) };
  const decide = (outcome: DecisionOutcome, reason: string, s: IncidentState = next, extra: Partial<Decision> = {}): PolicyResult => ({
    state: s,
    decision: { outcome, reason, incidentId: s.incidentId, playbook, ...extra },
  });
  const gate = failoverGate(next, playbook, ctx);
  if (gate && !gate.keepPending) return { state: gate.state, decision: { ...gate.decision, reason: `${what}, but ${gate.decision.reason}` } };
  if (next.pending && (next.pending.playbook === playbook || next.pending.playbook === "siteFailover")) {
    if (Date.parse(next.pending.dueAt) > ctx.now.getTime()) return decide("recorded", `${what}; joins the pending ${describe(next.pending.playbook)} check at ${next.pending.dueAt}`);
    // The debounce is over and the check was waiting for this (a second signal): check again now.
    const check = { id: `${next.pending.checkId}+${next.seen.length}`, at: ctx.now.toISOString() };
    return decide("debouncing", `${what}; the pending ${describe(next.pending.playbook)} is checked again now`, { ...next, pending: { ...next.pending, checkId: check.id, dueAt: check.at } }, { check });
  }
  if (next.awaitingApproval) return decide("recorded", `${what}; a ${describe(next.awaitingApproval.playbook)} already waits for approval`);
  const dueAt = new Date(ctx.now.getTime() + ctx.alerting.debounceSeconds * 1000).toISOString();
  const checkId = `${next.incidentId ?? "incident"}-${playbook}-${next.failoverRules.length}-${next.seen.length}`;
  return decide("debouncing", `${what}; checking again at ${dueAt} that it persists`, { ...next, pending: { playbook, checkId, dueAt } }, { check: { id: checkId, at: dueAt } });
}

/**
 * Reasons not to start a failover now. `keepPending` means the signal should stay pending (a second
 * signal may still come); otherwise the decision is final for this signal.
 */
function failoverGate(
  state: IncidentState,
  playbook: Playbook,
  ctx: PolicyContext,
  options: { ignoreApproval?: boolean } = {},
): { state: IncidentState; decision: Decision; keepPending: boolean } | undefined {
  const final = (outcome: DecisionOutcome, reason: string, extra: Partial<Decision> = {}) => ({
    state,
    decision: { outcome, reason, incidentId: state.incidentId, playbook, ...extra },
    keepPending: false,
  });
  if (state.killSwitch?.on) return final("blockedByKillSwitch", `the kill switch is on (set by ${state.killSwitch.by} at ${state.killSwitch.at}: ${state.killSwitch.reason}), so nothing fails over automatically`);
  if (ctx.run?.status === "running") return final("joinedRun", `run ${ctx.run.runId} is already under way for this estate`, { runId: ctx.run.runId });
  if (state.runId && state.runPlaybook === "siteFailover") return final("joinedRun", `this incident already ran a site failover (${state.runId})`, { runId: state.runId });
  if (state.runId && state.runPlaybook === playbook) return final("joinedRun", `this incident already ran this playbook (${state.runId})`, { runId: state.runId });
  if (ctx.run?.finishedAt) {
    const coolEnds = Date.parse(ctx.run.finishedAt) + ctx.alerting.cooldownMinutes * 60_000;
    if (ctx.now.getTime() < coolEnds) return final("coolingDown", `run ${ctx.run.runId} ended at ${ctx.run.finishedAt}; no automatic run before ${new Date(coolEnds).toISOString()}`);
  }
  if (playbook === "siteFailover" && ctx.alerting.requireSecondSignal && state.failoverRules.length < 2 && !options.ignoreApproval) {
    return { state, decision: { outcome: "waitingForSecondSignal", reason: `a site failover needs a second alert rule to agree; so far only '${state.failoverRules.join("', '")}'`, incidentId: state.incidentId, playbook }, keepPending: true };
  }
  return undefined;
}

function startRun(state: IncidentState, playbook: Playbook, why: string): PolicyResult {
  const incidentId = state.incidentId ?? "incident";
  const runId = incidentRunId(incidentId, playbook);
  return {
    state: { ...state, pending: null, runId, runPlaybook: playbook, failedOver: state.failedOver || playbook === "siteFailover" },
    decision: { outcome: "startRun", reason: `${describe(playbook)} starts: ${why}`, incidentId, playbook, runId },
  };
}

function onRecovery(state: IncidentState, signal: Signal, alert: ParsedAlert, ctx: PolicyContext): PolicyResult {
  const decide = (outcome: DecisionOutcome, reason: string, s: IncidentState): PolicyResult => ({ state: s, decision: { outcome, reason, incidentId: s.incidentId } });
  // A Resolved that belongs to an earlier firing than the one on record arrived late: it clears nothing.
  const since = signal.kind === "circuitUp" ? state.circuitsDown.find((c) => c.id === signal.circuitId)?.since : signal.kind === "natRecovered" ? state.natLostSince : null;
  if (since && Date.parse(alert.firedAt) < Date.parse(since)) {
    return decide("ignored", `late resolved notification: it closes a firing from ${alert.firedAt}, older than the current one from ${since}`, state);
  }
  const next: IncidentState =
    signal.kind === "circuitUp"
      ? { ...state, circuitsDown: state.circuitsDown.filter((c) => c.id !== signal.circuitId) }
      : signal.kind === "natRecovered"
        ? { ...state, natLostSince: null }
        : { ...state, rpoBreached: false };
  if (signal.kind === "circuitUp" && state.failedOver) {
    return decide("noFailback", "the ExpressRoute link is coming back after a site failover: nothing fails back automatically; the on-premises copies stay out of service until someone decides (failback preparation)", next);
  }
  if (state.runId) return decide("recorded", `a resolved alert arrived after run ${state.runId} started; a failover in progress is not stopped by it`, next);
  if (state.pending && !signalHolds(next, state.pending.playbook, ctx.alerting)) {
    return decide("cancelled", `the ${describe(state.pending.playbook)} signal cleared before its debounce check`, { ...next, pending: null });
  }
  return decide("recorded", signal.kind === "rpoRecovered" ? "replication is back within its RPO" : "signal cleared", next);
}

function signalHolds(state: IncidentState, playbook: Playbook, alerting: Alerting): boolean {
  return playbook === "edgeFailover" ? state.natLostSince !== null : allCircuitsDown(state.circuitsDown, alerting);
}

function allCircuitsDown(down: IncidentState["circuitsDown"], alerting: Alerting): boolean {
  return alerting.expressRouteCircuits.every((c) => down.some((d) => d.id === c.id.toLowerCase()));
}

function openIncident(state: IncidentState, ctx: PolicyContext): IncidentState {
  const now = ctx.now.toISOString();
  return state.incidentId ? { ...state, lastSignalAt: now } : { ...state, incidentId: ctx.newIncidentId, openedAt: now, lastSignalAt: now };
}

/** An incident whose signals all cleared long enough ago is closed; the kill switch and dedupe keys outlive it. */
function expireIncident(state: IncidentState, ctx: PolicyContext): IncidentState {
  if (!state.incidentId || !state.lastSignalAt) return state;
  const quiet = ctx.now.getTime() - Date.parse(state.lastSignalAt) > ctx.alerting.incidentWindowMinutes * 60_000;
  const active = state.circuitsDown.length > 0 || state.natLostSince !== null || state.pending !== null || state.awaitingApproval !== null || ctx.run?.status === "running";
  return quiet && !active ? { ...NO_INCIDENT, killSwitch: state.killSwitch, seen: state.seen, failedOver: state.failedOver } : state;
}

function withSeen(state: IncidentState, key: string): IncidentState {
  return { ...state, seen: [...state.seen, key].slice(-SEEN_LIMIT) };
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function describe(playbook: Playbook): string {
  return playbook === "siteFailover" ? "full site failover" : "edge-tier failover";
}

function shortName(armId: string): string {
  return armId.split("/").pop() ?? armId;
}
