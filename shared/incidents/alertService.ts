import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { queueBodyParser } from "../ports/queueBody.js";
import { classifyAlert } from "../domain/incidents/classifyAlert.js";
import { parseCommonAlert } from "../domain/incidents/commonAlert.js";
import { NO_INCIDENT, rememberDecision, type IncidentState, type Playbook, type RecentDecision } from "../domain/incidents/incidentState.js";
import {
  decideOnAlert,
  decideOnApproval,
  decideOnCheck,
  recordRunStarted,
  recordStartBlockedByKillSwitch,
  recordStartRefused,
  setKillSwitch,
  type Decision,
  type PolicyContext,
  type PolicyResult,
  type RunInfo,
  type SourceReading,
} from "../domain/incidents/incidentPolicy.js";
import type { Estate } from "../domain/estate.js";
import type { FailoverRequest } from "../domain/plan.js";
import type { Engine } from "../runs/engine.js";
import type { BoundaryHook } from "../runs/engineDeps.js";
import type { AuditEntry, AuditLog } from "../ports/auditLog.js";
import type { MonitorPort, ResourceHealthPort } from "../ports/healthReads.js";
import type { Clock } from "../ports/clock.js";
import { isDrError } from "../ports/errors.js";
import type { IncidentStore } from "../ports/incidentStore.js";
import type { Logger } from "../ports/logger.js";
import type { NotifierPort } from "../ports/notifier.js";
import type { QueuePort } from "../ports/queue.js";
import type { RunStore } from "../ports/runStore.js";
import type { SiteRecoveryPort } from "../ports/siteRecovery.js";
import { readSignalSource } from "./readSignalSource.js";

/** The scheduled message that re-checks a failover signal after its debounce time. */
export interface IncidentCheckMessage {
  readonly estate: string;
  readonly checkId: string;
}

/** Validates a message body from the incident-check queue. */
export const parseIncidentCheckMessage: (body: unknown) => IncidentCheckMessage = queueBodyParser(
  z.strictObject({ estate: z.string().min(1), checkId: z.string().min(1) }),
  "incident check message",
);

export interface AlertServiceDeps {
  readonly estate: Estate;
  readonly incidents: IncidentStore;
  readonly runs: RunStore;
  readonly audit: AuditLog;
  readonly engine: Engine;
  readonly siteRecovery: SiteRecoveryPort;
  readonly checks: QueuePort<IncidentCheckMessage>;
  readonly notifier: NotifierPort;
  readonly clock: Clock;
  readonly log: Logger;
  /** Reads the signal's source (circuit metrics, the NAT's Heartbeat) before an automatic failover; absent: not corroborated. */
  readonly monitor?: MonitorPort;
  /** Resource Health of an Azure-hosted NAT/firewall VM (its current availability status); absent: its Heartbeat is read instead. */
  readonly resourceHealth?: ResourceHealthPort;
  /**
   * Called right after each durable write or send of the alert path (ALERT_BOUNDARIES), as the
   * engine's hook is: tests make it throw to prove a crash there, then redelivery, repeats nothing.
   */
  readonly boundary?: BoundaryHook;
}

/**
 * The points of the alert path where state was just written or a message just sent; a crash test
 * crashes at each of them. An incident transaction that decides a start is 'startDecided', the one
 * that records the engine's acceptance 'startRecorded', any other 'incidentSaved'. The engine's own
 * startRun boundaries (lockAcquired, runCreated) come between 'startDecided' and 'runStarted'.
 */
export const ALERT_BOUNDARIES = [
  "incidentSaved",
  "checkScheduled",
  "notificationQueued",
  "sourceRead",
  "checkDecided",
  "startDecided",
  "runStarted",
  "startRecorded",
  "auditWritten",
] as const;
export type AlertBoundary = (typeof ALERT_BOUNDARIES)[number];

export type AlertOutcome = { readonly status: "rejected"; readonly problems: readonly string[] } | { readonly status: "handled"; readonly decision: Decision };

const MAX_STATE_RETRIES = 20;
/** Decisions people are told about; the rest are recorded only. */
const NOTIFIED: ReadonlySet<Decision["outcome"]> = new Set([
  "warning",
  "diagnose",
  "news",
  "awaitingApproval",
  "notCorroborated",
  "blockedByKillSwitch",
  "blockedByRunLock",
  "noFailback",
  "cancelled",
  "coolingDown",
  "waitingForSecondSignal",
]);
/** Decisions remembered for a redelivery: those people are told about and the starts. */
const REMEMBERED: ReadonlySet<Decision["outcome"]> = new Set([...NOTIFIED, "startRun"]);
/** Decisions that ask a person to act. */
const ASKS_APPROVAL: ReadonlySet<Decision["outcome"]> = new Set(["awaitingApproval", "notCorroborated", "blockedByRunLock"]);

/**
 * Turns alerts into decisions and decisions into effects. The incident state is saved before any
 * effect. A run starts only from the decision that chose it (a debounce check or an approval, and
 * their redeliveries), right after the kill switch is read again; a start the run lock refuses
 * becomes a decision for people. No other transaction starts a run.
 */
export function createAlertService(deps: AlertServiceDeps): {
  handleAlert(body: unknown, caller: string): Promise<AlertOutcome>;
  handleCheck(message: IncidentCheckMessage): Promise<Decision>;
  approve(by: string): Promise<Decision>;
  setKillSwitch(on: boolean, by: string, reason: string): Promise<IncidentState>;
  current(): Promise<IncidentState>;
} {
  const { estate, clock } = deps;
  const hook = deps.boundary ?? (() => undefined);
  const boundary = (name: AlertBoundary, decision: Pick<Decision, "runId" | "incidentId"> | undefined, ...fields: string[]): void =>
    hook(name, { runId: decision?.runId ?? decision?.incidentId ?? "", fields });
  const audit = async (entry: AuditEntry, kind: string): Promise<void> => {
    await deps.audit.append(entry);
    boundary("auditWritten", { incidentId: entry.incidentId ?? null, ...(entry.runId ? { runId: entry.runId } : {}) }, kind, entry.result);
  };

  async function handleAlert(body: unknown, caller: string): Promise<AlertOutcome> {
    const parsed = parseCommonAlert(body);
    if (!parsed.ok) {
      await deps.audit.append({ at: clock.now().toISOString(), who: caller, action: "alert", result: "rejected", detail: parsed.problems.join("; ") });
      return { status: "rejected", problems: parsed.problems };
    }
    const { alert } = parsed;
    const signal = classifyAlert(alert, estate.alerting);
    const key = alertKey(alert.alertId);
    const decision = await transact((state, ctx) => decideOnAlert(state, alert, signal, { ...ctx, alertKey: key }), `alert:${key}:${alert.condition}`);
    await audit(
      {
        at: clock.now().toISOString(),
        who: caller,
        action: `alert ${alert.condition.toLowerCase()}: ${alert.rule}`,
        result: decision.outcome,
        alertId: alert.alertId,
        ...(decision.incidentId ? { incidentId: decision.incidentId } : {}),
        ...(decision.runId ? { runId: decision.runId } : {}),
        detail: decision.reason,
      },
      "alert",
    );
    deps.log.info("alert decided", {
      alertId: alert.alertId,
      rule: alert.rule,
      signal: signal.kind,
      outcome: decision.outcome,
      incidentId: decision.incidentId,
      runId: decision.runId,
    });
    return { status: "handled", decision };
  }

  async function handleCheck(message: IncidentCheckMessage): Promise<Decision> {
    const before = (await deps.incidents.get(estate.name))?.value ?? NO_INCIDENT;
    const playbook = before.pending?.checkId === message.checkId ? before.pending.playbook : undefined;
    const [age, source] = playbook ? await Promise.all([recoveryPointAge(playbook), readSource(playbook)]) : [null, undefined];
    if (playbook) boundary("sourceRead", { incidentId: before.incidentId }, source?.says ?? "none");
    const decided = await transact(
      (state, ctx) => decideOnCheck(state, message.checkId, { ...ctx, recoveryPointAgeSeconds: age, ...(source ? { source } : {}) }),
      `check:${message.checkId}`,
    );
    boundary("checkDecided", decided, decided.outcome);
    const decision = decided.outcome === "startRun" ? await carryOutStart(decided) : decided;
    await audit(
      {
        at: clock.now().toISOString(),
        who: "system",
        action: "debounce check",
        result: decision.outcome,
        detail: decision.reason,
        ...(decision.incidentId ? { incidentId: decision.incidentId } : {}),
        ...(decision.runId ? { runId: decision.runId } : {}),
      },
      "check",
    );
    deps.log.info("incident check decided", {
      checkId: message.checkId,
      outcome: decision.outcome,
      incidentId: decision.incidentId,
      runId: decision.runId,
      activeRunId: decision.activeRunId,
    });
    return decision;
  }

  async function approve(by: string): Promise<Decision> {
    const decided = await transact((state, ctx) => decideOnApproval(state, by, ctx), `approval:${by}:${clock.now().toISOString()}`);
    const decision = decided.outcome === "startRun" ? await carryOutStart(decided) : decided;
    await audit(
      {
        at: clock.now().toISOString(),
        who: by,
        action: "approve incident failover",
        result: decision.outcome,
        detail: decision.reason,
        ...(decision.incidentId ? { incidentId: decision.incidentId } : {}),
        ...(decision.runId ? { runId: decision.runId } : {}),
      },
      "approval",
    );
    return decision;
  }

  async function changeKillSwitch(on: boolean, by: string, reason: string): Promise<IncidentState> {
    let saved: IncidentState = NO_INCIDENT;
    await transact((state, ctx) => {
      saved = setKillSwitch(state, on, by, reason, ctx.now);
      return { state: saved, decision: { outcome: "recorded", reason: `kill switch ${on ? "on" : "off"}`, incidentId: state.incidentId } };
    }, `killSwitch:${clock.now().toISOString()}`);
    await audit({ at: clock.now().toISOString(), who: by, action: `kill switch ${on ? "on" : "off"}`, result: "recorded", detail: reason }, "killSwitch");
    return saved;
  }

  /**
   * Makes the start a check or an approval decided: reads the kill switch again right before it,
   * asks the engine (which takes the estate's run lock), and records how it went.
   */
  async function carryOutStart(decided: Decision): Promise<Decision> {
    const runId = decided.runId ?? "";
    const state = (await deps.incidents.get(estate.name))?.value ?? NO_INCIDENT;
    const owed = state.startOwed;
    if (!owed || owed.runId !== runId) {
      // A redelivery after the start was recorded or refused: that transaction's notice is finished too (same id).
      const outcome = decided.redelivered
        ? state.recentDecisions.find((d) => d.key === `start:${runId}` || d.key.startsWith(`start:${runId}:lock:`))
        : undefined;
      if (outcome) {
        await finishEffects(state, asDecision(outcome), outcome.key);
        return { ...asDecision(outcome), redelivered: true };
      }
      return state.runId === runId
        ? { ...decided, outcome: "joinedRun", reason: `run ${runId} has already started` }
        : { ...decided, outcome: "ignored", reason: `the start of ${runId} is no longer owed` };
    }
    const noticeId = `start:${runId}`;
    if (state.killSwitch?.on) return transact((s) => recordStartBlockedByKillSwitch(s, runId), noticeId);
    // A start redelivered after its run already ended must not ask the engine again: it would take the estate's lock for a finished run.
    const existing = (await deps.runs.getRun(runId))?.value;
    const started =
      existing && existing.status !== "running"
        ? { started: true, activeRunId: runId }
        : await deps.engine.startRun(requestFor(owed.playbook), `incident ${state.incidentId ?? ""}: ${owed.reason}`, runId);
    if (started.started) {
      boundary("runStarted", decided, owed.playbook);
      return transact((s) => recordRunStarted(s, runId), noticeId);
    }
    deps.log.warn("incident run refused by the run lock", { incidentId: state.incidentId, runId, activeRunId: started.activeRunId });
    return transact((s) => recordStartRefused(s, runId, started.activeRunId), `${noticeId}:lock:${started.activeRunId}`);
  }

  /** Reads, decides and writes the incident state under its ETag, retrying on conflict; then finishes effects. */
  async function transact(decide: (state: IncidentState, ctx: PolicyContext) => PolicyResult, noticeId: string): Promise<Decision> {
    for (let attempt = 0; attempt < MAX_STATE_RETRIES; attempt++) {
      const entry = await deps.incidents.get(estate.name);
      const state = entry?.value ?? NO_INCIDENT;
      const ctx: PolicyContext = {
        alerting: estate.alerting,
        rpoMinutes: estate.objectives.rpoMinutes,
        now: clock.now(),
        newIncidentId: newIncidentId(clock.now()),
        ...(await runInfo(state)),
      };
      const result = decide(state, ctx);
      if (result.state !== state) {
        const saved = REMEMBERED.has(result.decision.outcome)
          ? { ...result.state, recentDecisions: rememberDecision(result.state.recentDecisions, remembered(noticeId, result.decision)) }
          : result.state;
        try {
          await deps.incidents.put(estate.name, saved, entry?.etag);
        } catch (error) {
          if (isDrError(error) && (error.code === "PreconditionFailed" || error.code === "Conflict")) continue; // another delivery won: decide again on its state
          throw error;
        }
        const kind = noticeId.split(":")[0] ?? "";
        boundary(
          result.decision.outcome !== "startRun" ? "incidentSaved" : kind === "start" ? "startRecorded" : "startDecided",
          result.decision,
          kind,
          result.decision.outcome,
        );
        await finishEffects(saved, result.decision, noticeId);
        return result.decision;
      }
      // Nothing changed: a redelivery of this very delivery finishes what its first one may not have (the notice, under the same id).
      const earlier = state.recentDecisions.find((d) => d.key === noticeId);
      if (earlier) {
        await finishEffects(state, asDecision(earlier), noticeId);
        // An alert delivered again is a duplicate to its sender; a check or start delivered again answers, and is audited, as its first delivery decided.
        if (noticeId.startsWith("alert:"))
          return { ...result.decision, reason: `${result.decision.reason}; its decision (${earlier.outcome}) was finished again` };
        return { ...asDecision(earlier), redelivered: true };
      }
      await finishEffects(state, result.decision, noticeId);
      return result.decision;
    }
    throw new Error(`incident state of ${estate.name}: too much contention`);
  }

  /** Sends the check the saved state still owes and tells people; never starts a run. */
  async function finishEffects(state: IncidentState, decision: Decision, noticeId: string): Promise<void> {
    if (state.pending) {
      await deps.checks.send([
        { messageId: state.pending.checkId, body: { estate: estate.name, checkId: state.pending.checkId }, deliverAt: new Date(state.pending.dueAt) },
      ]);
      boundary("checkScheduled", decision, state.pending.checkId);
    }
    if (NOTIFIED.has(decision.outcome)) {
      await deps.notifier.notify({
        kind: ASKS_APPROVAL.has(decision.outcome) ? "approvalNeeded" : "incidentDecision",
        // One notification per decision: a redelivery of the same alert, check or start is deduplicated.
        id: `${decision.incidentId ?? "estate"}:${decision.outcome}:${noticeId}`,
        runId: decision.runId ?? decision.incidentId ?? "",
        estate: estate.name,
        mode: "unplanned",
        at: clock.now(),
        summary: decision.reason,
        ...(ASKS_APPROVAL.has(decision.outcome) ? { approval: approvalRequest(decision) } : {}),
      });
      boundary("notificationQueued", decision, decision.outcome);
    }
  }

  function approvalRequest(decision: Decision): { what: string; how: string } {
    const failover = `${decision.playbook === "edgeFailover" ? "Edge-tier" : "Full site"} failover of ${estate.name}`;
    if (decision.outcome === "blockedByRunLock") {
      const active = decision.activeRunId ?? "the active run";
      return {
        what: `A real outage during a drill: stop the drill (${active}) and fail over? ${failover}`,
        how: `Cancel the run that holds the lock (POST /api/runs/${active}/cancel, operator), then POST /api/incidents/approve (approver); approve again if its cleanup still holds the lock`,
      };
    }
    return { what: failover, how: "POST /api/incidents/approve with the approver role" };
  }

  async function readSource(playbook: Playbook): Promise<SourceReading | undefined> {
    return deps.monitor
      ? readSignalSource(playbook, { estate, monitor: deps.monitor, clock, ...(deps.resourceHealth ? { resourceHealth: deps.resourceHealth } : {}) })
      : undefined;
  }

  async function runInfo(state: IncidentState): Promise<{ run?: RunInfo }> {
    if (!state.runId) return {};
    const run = (await deps.runs.getRun(state.runId))?.value;
    return run ? { run: { runId: run.runId, status: run.status, ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}) } } : {};
  }

  function requestFor(playbook: Playbook): FailoverRequest {
    if (playbook === "siteFailover") return { mode: "unplanned", scope: { kind: "all" } };
    const natTier = estate.vms.find((vm) => vm.name === estate.alerting.natVm.vm)?.tier ?? "";
    return { mode: "unplanned", scope: { kind: "tiers", tiers: [natTier] } };
  }

  /** Age of the stalest newest recovery point among the VMs the playbook would fail over. */
  async function recoveryPointAge(playbook: Playbook): Promise<number | null> {
    const vms = playbook === "siteFailover" ? estate.vms : estate.vms.filter((vm) => vm.name === estate.alerting.natVm.vm);
    const now = clock.now().getTime();
    const ages = await Promise.all(
      vms.map(async (vm) => {
        const vault = estate.vaults[vm.vault];
        if (!vault) return null;
        const points = await deps.siteRecovery.listRecoveryPoints({ vault, protectedItem: vm.protectedItem });
        const newest = Math.max(...points.map((p) => p.time.getTime()));
        return Number.isFinite(newest) ? (now - newest) / 1000 : Number.POSITIVE_INFINITY;
      }),
    );
    const known = ages.filter((a): a is number => a !== null);
    return known.length === 0 ? null : Math.max(...known);
  }

  return {
    handleAlert,
    handleCheck,
    approve,
    setKillSwitch: changeKillSwitch,
    current: async () => (await deps.incidents.get(estate.name))?.value ?? NO_INCIDENT,
  };
}

function remembered(key: string, d: Decision): RecentDecision {
  return {
    key,
    outcome: d.outcome,
    reason: d.reason,
    incidentId: d.incidentId,
    ...(d.playbook ? { playbook: d.playbook } : {}),
    ...(d.runId ? { runId: d.runId } : {}),
    ...(d.activeRunId ? { activeRunId: d.activeRunId } : {}),
  };
}

function asDecision({ key: _key, outcome, ...rest }: RecentDecision): Decision {
  return { ...rest, outcome: outcome as Decision["outcome"] };
}

function newIncidentId(now: Date): string {
  return `inc-${now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}-${randomBytes(2).toString("hex")}`;
}

/** A bounded dedupe key of an alert id: alert ids are the caller's text, stored keys must not grow the row. */
export function alertKey(alertId: string): string {
  return createHash("sha256").update(alertId).digest("base64url").slice(0, 32);
}
