import type { Alerting } from "../estate.js";
import type { ParsedAlert } from "./commonAlert.js";
import { natSignalSource, type Signal } from "./classifyAlert.js";
import { boundAlertRecords, NO_INCIDENT, type AlertRecord, type IncidentState, type Playbook, type SignalSource } from "./incidentState.js";

export type DecisionOutcome =
  | "duplicate"
  | "ignored"
  | "late"
  | "stale"
  | "news"
  | "recorded"
  | "warning"
  | "diagnose"
  | "debouncing"
  | "cancelled"
  | "waitingForSecondSignal"
  | "notCorroborated"
  | "awaitingApproval"
  | "startRun"
  | "joinedRun"
  | "blockedByKillSwitch"
  | "blockedByRunLock"
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
  /** For 'blockedByRunLock': the run that holds the estate's run lock (a drill, a manual run). */
  readonly activeRunId?: string;
  /** The decision a first delivery made, repeated for its redelivery (the state changed no more). */
  readonly redelivered?: boolean;
}

/** What the policy needs to know about the incident's run, read by the caller. */
export interface RunInfo {
  readonly runId: string;
  readonly status: "running" | "succeeded" | "failed" | "cancelled";
  readonly finishedAt?: string;
}

/** What the source says now, read right before a failover is decided (Monitor metrics, Resource Health). */
export type SourceReading = { readonly says: "down" | "unknown"; readonly detail: string } | { readonly says: "up"; readonly detail: string };

export interface PolicyContext {
  readonly alerting: Alerting;
  readonly rpoMinutes: number;
  readonly now: Date;
  /** Used when this signal opens a new incident. */
  readonly newIncidentId: string;
  readonly run?: RunInfo;
  /** A bounded key of the alert id (the service hashes long ids); default: the alert id. */
  readonly alertKey?: string;
}

export interface PolicyResult {
  readonly state: IncidentState;
  readonly decision: Decision;
}

/** The sources that count as independent witnesses of each playbook's outage. */
const WITNESSES: Readonly<Record<Playbook, readonly SignalSource[]>> = {
  siteFailover: ["expressRoute", "siteHeartbeat", "human"],
  edgeFailover: ["natPlatform", "natHeartbeat", "human"],
};

/** The estate's gates for one playbook: per-playbook settings, else the estate-wide ones. */
export function playbookGates(playbook: Playbook, alerting: Alerting): { requireSecondSignal: boolean; approvalRequired: boolean } {
  const own = playbook === "siteFailover" ? alerting.playbooks.site : alerting.playbooks.edge;
  return {
    requireSecondSignal: own.requireSecondSignal ?? (playbook === "siteFailover" ? alerting.requireSecondSignal : false),
    approvalRequired: own.approvalRequired ?? alerting.approvalRequired,
  };
}

/**
 * The answer the incident's alert records alone give: a duplicate, or a Fired older than its own
 * Resolved. Undefined: the alert is new to the incident and decideOnAlert weighs it. Pure.
 */
export function answerFromAlertRecords(current: IncidentState, alert: ParsedAlert, key: string): PolicyResult | undefined {
  const known = current.alerts.find((r) => r.key === key);
  if (known?.condition === alert.condition)
    return {
      state: current,
      decision: { outcome: "duplicate", reason: `alert ${shortName(alert.alertId)} (${alert.condition}) was already handled`, incidentId: current.incidentId },
    };
  // States of one alert are ordered by their own times: a Fired that is older than its own Resolved arrived late.
  if (known?.condition === "Resolved" && Date.parse(alert.firedAt) <= Date.parse(known.at)) {
    return {
      state: current,
      decision: {
        outcome: "late",
        reason: `Fired of alert ${shortName(alert.alertId)} (fired ${alert.firedAt}) arrived after its own Resolved (${known.at}): it changes nothing`,
        incidentId: current.incidentId,
      },
    };
  }
  return undefined;
}

/** Applies one classified alert to the incident. Pure: time and ids come in. */
export function decideOnAlert(current: IncidentState, alert: ParsedAlert, signal: Signal, ctx: PolicyContext): PolicyResult {
  const key = ctx.alertKey ?? alert.alertId;
  const at = alert.condition === "Resolved" ? (alert.resolvedAt ?? alert.firedAt) : alert.firedAt;
  const recorded = answerFromAlertRecords(current, alert, key);
  if (recorded) return recorded;
  const base = withAlertRecord(expireIncident(current, ctx), { key, condition: alert.condition, at });

  const ageMinutes = (ctx.now.getTime() - Date.parse(alert.firedAt)) / 60_000;
  if (alert.condition === "Fired" && ageMinutes > ctx.alerting.maxAlertAgeMinutes && signal.kind !== "unrelated") {
    return {
      state: base,
      decision: {
        outcome: "stale",
        reason: `alert fired at ${alert.firedAt}, ${Math.round(ageMinutes)} min ago, beyond the ${ctx.alerting.maxAlertAgeMinutes} min limit (alerting.maxAlertAgeMinutes): it describes the past, so it is refused`,
        incidentId: base.incidentId,
      },
    };
  }
  if (signal.kind === "unrelated") return { state: base, decision: { outcome: "ignored", reason: signal.reason, incidentId: base.incidentId } };
  if (signal.kind === "news")
    return { state: base, decision: { outcome: "news", reason: `${signal.reason}; nothing fails over`, incidentId: base.incidentId } };

  const state = openIncident(base, ctx);
  const decide = (outcome: DecisionOutcome, reason: string, next: IncidentState = state, extra: Partial<Decision> = {}): PolicyResult => ({
    state: next,
    decision: { outcome, reason, incidentId: next.incidentId, ...extra },
  });

  switch (signal.kind) {
    case "circuitDown": {
      const circuitsDown = [...state.circuitsDown.filter((c) => c.id !== signal.circuitId), { id: signal.circuitId, since: alert.firedAt }];
      const allDown = allCircuitsDown(circuitsDown, ctx.alerting);
      // Every circuit alert is evidence of the outage, but all of them together are one witness.
      const next = { ...state, circuitsDown, failoverSources: withSource(state.failoverSources, "expressRoute") };
      if (!allDown) {
        return decide(
          "warning",
          `ExpressRoute ${signal.role} circuit ${shortName(signal.circuitId)} is down; the other circuit still carries traffic, so the link has lost its redundancy (no failover)`,
          next,
        );
      }
      return failoverSignal(next, "siteFailover", ctx, "both ExpressRoute circuits are down: the site is cut off");
    }
    case "natLost":
      return failoverSignal(
        {
          ...state,
          natLostSince: state.natLostSince ?? alert.firedAt,
          failoverSources: withSource(state.failoverSources, natSignalSource(alert, ctx.alerting)),
        },
        "edgeFailover",
        ctx,
        `the NAT/firewall VM ${signal.vm} is unavailable`,
      );
    case "siteHeartbeatLost": {
      const next = { ...state, siteHeartbeatLostSince: alert.firedAt, failoverSources: withSource(state.failoverSources, "siteHeartbeat") };
      if (next.pending?.playbook === "siteFailover")
        return failoverSignal(next, "siteFailover", ctx, "the on-premises site's agents stopped sending Heartbeat");
      return decide(
        "recorded",
        "the on-premises site's agents stopped sending Heartbeat: it counts as an independent second signal if the ExpressRoute link goes down too",
        next,
      );
    }
    case "rpoBreach":
      return decide(
        "diagnose",
        `replication is behind the ${ctx.rpoMinutes} min RPO: failing over now would lose more data, so nothing fails over; the next health check is brought forward`,
        { ...state, rpoBreached: true },
      );
    case "circuitUp":
    case "natRecovered":
    case "siteHeartbeatBack":
    case "rpoRecovered":
      return onRecovery(state, signal, alert, ctx);
  }
}

/**
 * The debounce check of a pending failover signal is due. `recoveryPointAgeSeconds` is the oldest
 * newest point across the scope; `source` is what the signal's source says now.
 */
export function decideOnCheck(
  current: IncidentState,
  checkId: string,
  ctx: PolicyContext & { readonly recoveryPointAgeSeconds: number | null; readonly source?: SourceReading },
): PolicyResult {
  const { pending } = current;
  const decide = (outcome: DecisionOutcome, reason: string, state: IncidentState = current, extra: Partial<Decision> = {}): PolicyResult => ({
    state,
    decision: { outcome, reason, incidentId: state.incidentId, ...extra },
  });
  // A redelivered check whose start was decided but not made: it (and only it) carries the start out.
  if (current.startOwed?.decidedBy === checkId) return owedStart(current);
  if (!pending || pending.checkId !== checkId) return decide("ignored", `check ${checkId} is no longer pending`);
  if (!signalHolds(current, pending.playbook, ctx.alerting)) {
    return decide("cancelled", `the ${describe(pending.playbook)} signal cleared before the ${ctx.alerting.debounceSeconds} s debounce ended`, {
      ...current,
      pending: null,
    });
  }
  const gate = failoverGate(current, pending.playbook, ctx);
  if (gate) return { state: { ...gate.state, pending: gate.keepPending ? pending : null }, decision: gate.decision };

  if (ctx.source?.says === "up") {
    const reason = `the alerts say the ${describe(pending.playbook)} is needed, but the source says otherwise now (${ctx.source.detail}): nothing fails over automatically; an approver may still decide`;
    return decide(
      "notCorroborated",
      reason,
      { ...current, pending: null, awaitingApproval: { playbook: pending.playbook, reason } },
      { playbook: pending.playbook },
    );
  }
  const stale = ctx.recoveryPointAgeSeconds !== null && ctx.recoveryPointAgeSeconds > ctx.rpoMinutes * 60;
  if (playbookGates(pending.playbook, ctx.alerting).approvalRequired || stale) {
    const reason = stale
      ? `the newest recovery points are ${Math.round((ctx.recoveryPointAgeSeconds ?? 0) / 60)} min old, beyond the ${ctx.rpoMinutes} min RPO: failing over would lose that much data, so a human must approve`
      : `automatic ${describe(pending.playbook)}s of this estate need a human approval`;
    return decide(
      "awaitingApproval",
      reason,
      { ...current, pending: null, awaitingApproval: { playbook: pending.playbook, reason } },
      { playbook: pending.playbook },
    );
  }
  const corroborated = ctx.source ? ` (${ctx.source.detail})` : "";
  return startRun(current, pending.playbook, checkId, `the ${describe(pending.playbook)} signal held for ${ctx.alerting.debounceSeconds} s${corroborated}`);
}

/**
 * A human answered the incident. 'failover' approves the failover that waits (after a refused
 * start, too: a drill held the run lock) or, while a site failover waits for a second signal,
 * confirms the outage as that signal.
 */
export function decideOnApproval(current: IncidentState, by: string, ctx: PolicyContext): PolicyResult {
  if (current.startOwed) return owedStart(current);
  const waiting = current.awaitingApproval;
  if (!waiting) {
    const pending = current.pending;
    if (pending && !current.failoverSources.includes("human")) {
      const confirmed = { ...current, failoverSources: withSource(current.failoverSources, "human") };
      const check = { id: `${pending.checkId}+h`, at: ctx.now.toISOString() };
      const dueAt = Date.parse(pending.dueAt) > ctx.now.getTime() ? pending.dueAt : check.at;
      const next = dueAt === check.at ? { ...confirmed, pending: { ...pending, checkId: check.id, dueAt } } : confirmed;
      return {
        state: next,
        decision: {
          outcome: "debouncing",
          reason: `${by} confirmed the outage: it counts as the independent second signal; the pending ${describe(pending.playbook)} is checked at ${dueAt}`,
          incidentId: current.incidentId,
          playbook: pending.playbook,
          check: { id: next.pending?.checkId ?? pending.checkId, at: dueAt },
        },
      };
    }
    return { state: current, decision: { outcome: "ignored", reason: "no failover is waiting for approval", incidentId: current.incidentId } };
  }
  const gate = failoverGate(current, waiting.playbook, ctx, { ignoreApproval: true });
  if (gate)
    return gate.keepPending ? { state: current, decision: gate.decision } : { state: { ...gate.state, awaitingApproval: null }, decision: gate.decision };
  return startRun({ ...current, awaitingApproval: null }, waiting.playbook, `approval:${by}:${ctx.now.toISOString()}`, `approved by ${by}`);
}

/** The engine accepted the owed start: the incident now owns that run. */
export function recordRunStarted(current: IncidentState, runId: string): PolicyResult {
  const owed = current.startOwed;
  if (!owed || owed.runId !== runId)
    return { state: current, decision: { outcome: "joinedRun", reason: `run ${runId} is already recorded`, incidentId: current.incidentId, runId } };
  return {
    state: { ...current, startOwed: null, runId, runPlaybook: owed.playbook, failedOver: current.failedOver || owed.playbook === "siteFailover" },
    decision: { outcome: "startRun", reason: owed.reason, incidentId: current.incidentId, playbook: owed.playbook, runId },
  };
}

/**
 * The engine refused the owed start: another run (an operator's drill, a manual run) holds the
 * estate's run lock. That is a decision for people, never a start owed to a later transaction.
 */
export function recordStartRefused(current: IncidentState, runId: string, activeRunId: string): PolicyResult {
  const owed = current.startOwed;
  if (!owed || owed.runId !== runId)
    return { state: current, decision: { outcome: "ignored", reason: `no start of ${runId} is owed`, incidentId: current.incidentId } };
  const reason = `a real outage while run ${activeRunId} holds the estate's run lock (a drill or a manual run): the ${describe(owed.playbook)} did not start. Stop that run (POST /api/runs/${activeRunId}/cancel) and approve the failover (POST /api/incidents/approve), or leave it`;
  return {
    state: { ...current, startOwed: null, awaitingApproval: { playbook: owed.playbook, reason } },
    decision: { outcome: "blockedByRunLock", reason, incidentId: current.incidentId, playbook: owed.playbook, activeRunId },
  };
}

/** The kill switch was on right before the owed start: nothing starts. */
export function recordStartBlockedByKillSwitch(current: IncidentState, runId: string): PolicyResult {
  const owed = current.startOwed;
  const kill = current.killSwitch;
  if (!owed || owed.runId !== runId || !kill?.on)
    return { state: current, decision: { outcome: "ignored", reason: `no start of ${runId} is owed`, incidentId: current.incidentId } };
  return {
    state: { ...current, startOwed: null },
    decision: {
      outcome: "blockedByKillSwitch",
      reason: `the kill switch is on (set by ${kill.by} at ${kill.at}: ${kill.reason}), so the ${describe(owed.playbook)} did not start`,
      incidentId: current.incidentId,
      playbook: owed.playbook,
    },
  };
}

export function setKillSwitch(current: IncidentState, on: boolean, by: string, reason: string, now: Date): IncidentState {
  return { ...current, killSwitch: { on, by, at: now.toISOString(), reason } };
}

/** The run id an incident's playbook runs under: a repeated start of the same decision finds the same run. */
export function incidentRunId(incidentId: string, playbook: Playbook): string {
  return `${incidentId}-${playbook === "siteFailover" ? "site" : "edge"}`;
}

function failoverSignal(next: IncidentState, playbook: Playbook, ctx: PolicyContext, what: string): PolicyResult {
  const decide = (outcome: DecisionOutcome, reason: string, s: IncidentState = next, extra: Partial<Decision> = {}): PolicyResult => ({
    state: s,
    decision: { outcome, reason, incidentId: s.incidentId, playbook, ...extra },
  });
  const gate = failoverGate(next, playbook, ctx);
  if (gate && !gate.keepPending) return { state: gate.state, decision: { ...gate.decision, reason: `${what}, but ${gate.decision.reason}` } };
  if (next.pending && (next.pending.playbook === playbook || next.pending.playbook === "siteFailover")) {
    if (Date.parse(next.pending.dueAt) > ctx.now.getTime())
      return decide("recorded", `${what}; joins the pending ${describe(next.pending.playbook)} check at ${next.pending.dueAt}`);
    // The debounce is over and the check was waiting for this (a second signal): check again now.
    const check = { id: `${next.pending.checkId}+${next.alerts.length}`, at: ctx.now.toISOString() };
    return decide(
      "debouncing",
      `${what}; the pending ${describe(next.pending.playbook)} is checked again now`,
      { ...next, pending: { ...next.pending, checkId: check.id, dueAt: check.at } },
      { check },
    );
  }
  if (next.awaitingApproval) return decide("recorded", `${what}; a ${describe(next.awaitingApproval.playbook)} already waits for approval`);
  const dueAt = new Date(ctx.now.getTime() + ctx.alerting.debounceSeconds * 1000).toISOString();
  const checkId = `${next.incidentId ?? "incident"}-${playbook}-${next.failoverSources.length}-${next.alerts.length}`;
  return decide(
    "debouncing",
    `${what}; checking again at ${dueAt} that it persists`,
    { ...next, pending: { playbook, checkId, dueAt } },
    { check: { id: checkId, at: dueAt } },
  );
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
  if (state.killSwitch?.on)
    return final(
      "blockedByKillSwitch",
      `the kill switch is on (set by ${state.killSwitch.by} at ${state.killSwitch.at}: ${state.killSwitch.reason}), so nothing fails over automatically`,
    );
  if (state.startOwed) return final("joinedRun", `run ${state.startOwed.runId} is being started for this incident`, { runId: state.startOwed.runId });
  if (ctx.run?.status === "running") return final("joinedRun", `run ${ctx.run.runId} is already under way for this estate`, { runId: ctx.run.runId });
  if (state.runId && state.runPlaybook === "siteFailover")
    return final("joinedRun", `this incident already ran a site failover (${state.runId})`, { runId: state.runId });
  if (state.runId && state.runPlaybook === playbook)
    return final("joinedRun", `this incident already ran this playbook (${state.runId})`, { runId: state.runId });
  if (ctx.run?.finishedAt) {
    const coolEnds = Date.parse(ctx.run.finishedAt) + ctx.alerting.cooldownMinutes * 60_000;
    if (ctx.now.getTime() < coolEnds)
      return final("coolingDown", `run ${ctx.run.runId} ended at ${ctx.run.finishedAt}; no automatic run before ${new Date(coolEnds).toISOString()}`);
  }
  const witnesses = WITNESSES[playbook].filter((s) => state.failoverSources.includes(s));
  if (playbookGates(playbook, ctx.alerting).requireSecondSignal && witnesses.length < 2 && !options.ignoreApproval) {
    return {
      state,
      decision: {
        outcome: "waitingForSecondSignal",
        reason: `a ${describe(playbook)} needs a second, independent signal to agree (${WITNESSES[playbook].join(", ")}); so far only ${witnesses.join(", ") || "none"}`,
        incidentId: state.incidentId,
        playbook,
      },
      keepPending: true,
    };
  }
  return undefined;
}

/** Decides a start; the caller makes it, after checking the kill switch again, and records how it went. */
function startRun(state: IncidentState, playbook: Playbook, decidedBy: string, why: string): PolicyResult {
  const incidentId = state.incidentId ?? "incident";
  const runId = incidentRunId(incidentId, playbook);
  const reason = `${describe(playbook)} starts: ${why}`;
  return {
    state: { ...state, pending: null, startOwed: { playbook, runId, decidedBy, reason } },
    decision: { outcome: "startRun", reason, incidentId, playbook, runId },
  };
}

function owedStart(state: IncidentState): PolicyResult {
  const owed = state.startOwed as NonNullable<IncidentState["startOwed"]>;
  return { state, decision: { outcome: "startRun", reason: owed.reason, incidentId: state.incidentId, playbook: owed.playbook, runId: owed.runId } };
}

function onRecovery(state: IncidentState, signal: Signal, alert: ParsedAlert, ctx: PolicyContext): PolicyResult {
  const decide = (outcome: DecisionOutcome, reason: string, s: IncidentState): PolicyResult => ({
    state: s,
    decision: { outcome, reason, incidentId: s.incidentId },
  });
  // A Resolved that belongs to an earlier firing than the one on record arrived late: it clears nothing.
  const since =
    signal.kind === "circuitUp"
      ? state.circuitsDown.find((c) => c.id === signal.circuitId)?.since
      : signal.kind === "natRecovered"
        ? state.natLostSince
        : signal.kind === "siteHeartbeatBack"
          ? state.siteHeartbeatLostSince
          : null;
  if (since && Date.parse(alert.firedAt) < Date.parse(since)) {
    return decide("late", `late resolved notification: it closes a firing from ${alert.firedAt}, older than the current one from ${since}`, state);
  }
  const next = clearedBy(state, signal);
  if (signal.kind === "circuitUp" && state.failedOver) {
    return decide(
      "noFailback",
      "the ExpressRoute link is coming back after a site failover: nothing fails back automatically; the on-premises copies stay out of service until someone decides (failback preparation)",
      next,
    );
  }
  if (state.runId) return decide("recorded", `a resolved alert arrived after run ${state.runId} started; a failover in progress is not stopped by it`, next);
  if (state.pending && !signalHolds(next, state.pending.playbook, ctx.alerting)) {
    return decide("cancelled", `the ${describe(state.pending.playbook)} signal cleared before its debounce check`, { ...next, pending: null });
  }
  return decide("recorded", signal.kind === "rpoRecovered" ? "replication is back within its RPO" : "signal cleared", next);
}

/** The state once a recovery signal cleared what it reports; a witness that recovered no longer counts. */
function clearedBy(state: IncidentState, signal: Signal): IncidentState {
  const without = (...sources: SignalSource[]) => state.failoverSources.filter((s) => !sources.includes(s));
  switch (signal.kind) {
    case "circuitUp": {
      const circuitsDown = state.circuitsDown.filter((c) => c.id !== signal.circuitId);
      return { ...state, circuitsDown, failoverSources: circuitsDown.length === 0 ? without("expressRoute") : state.failoverSources };
    }
    case "natRecovered":
      return { ...state, natLostSince: null, failoverSources: without("natPlatform", "natHeartbeat") };
    case "siteHeartbeatBack":
      return { ...state, siteHeartbeatLostSince: null, failoverSources: without("siteHeartbeat") };
    default:
      return { ...state, rpoBreached: false };
  }
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

/** An incident whose signals all cleared long enough ago is closed; the kill switch and alert records outlive it. */
function expireIncident(state: IncidentState, ctx: PolicyContext): IncidentState {
  if (!state.incidentId || !state.lastSignalAt) return state;
  const quiet = ctx.now.getTime() - Date.parse(state.lastSignalAt) > ctx.alerting.incidentWindowMinutes * 60_000;
  const active =
    state.circuitsDown.length > 0 ||
    state.natLostSince !== null ||
    state.pending !== null ||
    state.awaitingApproval !== null ||
    state.startOwed !== null ||
    ctx.run?.status === "running";
  return quiet && !active ? { ...NO_INCIDENT, killSwitch: state.killSwitch, alerts: state.alerts, failedOver: state.failedOver } : state;
}

function withAlertRecord(state: IncidentState, record: AlertRecord): IncidentState {
  return { ...state, alerts: boundAlertRecords([...state.alerts.filter((r) => r.key !== record.key), record]) };
}

function withSource(sources: readonly SignalSource[], source: SignalSource): SignalSource[] {
  return sources.includes(source) ? [...sources] : [...sources, source];
}

function describe(playbook: Playbook): string {
  return playbook === "siteFailover" ? "full site failover" : "edge-tier failover";
}

function shortName(armId: string): string {
  const last = armId.split("/").pop() ?? armId;
  return last.length > 80 ? `${last.slice(0, 77)}...` : last;
}
