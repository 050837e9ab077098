import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { queueBodyParser } from "../ports/queueBody.js";
import { classifyAlert } from "../domain/incidents/classifyAlert.js";
import { parseCommonAlert, type AlertParseResult } from "../domain/incidents/commonAlert.js";
import { NO_INCIDENT, rememberDecision, type IncidentState, type Playbook, type RecentDecision } from "../domain/incidents/incidentState.js";
import {
  answerFromAlertRecords,
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
import type { RunRecord, RunStore, Versioned } from "../ports/runStore.js";
import type { SiteRecoveryPort } from "../ports/siteRecovery.js";
import { createRecentMemory, type RecentMemory } from "./recentMemory.js";
import { readSignalSource } from "./readSignalSource.js";
import { mapInBatches } from "./mapInBatches.js";
import { createSharedReads, type SharedReads } from "./sharedReads.js";
import { createWriterTurns, type WriterTurns } from "./writerTurns.js";

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
  /** Only a decided start asks it (the run lock, the run's first steps). */
  readonly engine: Pick<Engine, "startRun">;
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
/** A writer stuck this long (a hung request) no longer holds the others back: they meet the ETag instead. */
const WRITER_TURN_MAX_WAIT_MS = 10_000;
/** Far more than the checks one incident schedules, and than the distinct alerts of a storm. */
const CHECKS_REMEMBERED = 1_000;
const DELIVERIES_REMEMBERED = 500;
/** Recovery point lists a debounce check has in flight at once (each VM's list is a few hundred points to deserialize). */
const RECOVERY_POINT_LISTS_AT_ONCE = 4;
/** Distinct alert payloads whose parse is kept: a storm repeats a handful of them. */
const PAYLOADS_REMEMBERED = 100;
/** A common alert schema payload is a few KB; a larger one is parsed each time rather than kept. */
const PAYLOAD_REMEMBERED_MAX_CHARS = 16 * 1024;
/** How long a finished delivery is answered from memory before its redelivery reads the incident row again. */
const HANDLED_FRESH_MS = 60_000;

interface TransactOptions {
  /** False when the decision cannot depend on the incident's run, which is then not read. Default: read it. */
  readonly needsRunInfo?: (state: IncidentState) => boolean;
}

/** One read and decision of the incident state, and how many writes this process had made before it. */
interface Look {
  readonly entry: Versioned<IncidentState> | undefined;
  readonly state: IncidentState;
  readonly result: PolicyResult;
  readonly writes: number;
}

/**
 * What this process shares between the alert services it builds (one per invocation): its writers'
 * turns, the checks it sent, and the alert deliveries it finished to the end (effects and audit),
 * with the state each was finished on. None of it is ever a reason to write or to start anything.
 */
interface ProcessMemory {
  readonly turns: WriterTurns<Versioned<IncidentState>>;
  readonly checksSent: RecentMemory<true>;
  readonly handled: RecentMemory<{ readonly state: IncidentState; readonly at: number }>;
  /** Reads of the incident row that concurrent deliveries share, each one started after its callers asked. */
  readonly incidentReads: SharedReads<Versioned<IncidentState> | undefined>;
  /** The parse of a payload seen before (a pure function of the JSON: the same text parses the same). */
  readonly parsed: RecentMemory<AlertParseResult>;
  /** Deliveries an invocation here is deciding and finishing now, each settling to the state it finished on (undefined: it failed). */
  readonly finishing: Map<string, Promise<IncidentState | undefined>>;
}

/** Keyed by the incident store, which the app root builds once: every service of one root shares it, tests with their own roots do not. */
const PROCESS_MEMORY = new WeakMap<IncidentStore, ProcessMemory>();

function processMemoryOf(store: IncidentStore): ProcessMemory {
  let memory = PROCESS_MEMORY.get(store);
  if (!memory) {
    memory = {
      turns: createWriterTurns({ maxWaitMs: WRITER_TURN_MAX_WAIT_MS }),
      checksSent: createRecentMemory(CHECKS_REMEMBERED),
      handled: createRecentMemory(DELIVERIES_REMEMBERED),
      incidentReads: createSharedReads((estate) => store.get(estate)),
      parsed: createRecentMemory(PAYLOADS_REMEMBERED),
      finishing: new Map(),
    };
    PROCESS_MEMORY.set(store, memory);
  }
  return memory;
}

/** Reads of a run record shared as the incident row's are, by run store (one per root). */
const RUN_READS = new WeakMap<RunStore, SharedReads<Versioned<RunRecord> | undefined>>();

function runReadsOf(runs: RunStore): SharedReads<Versioned<RunRecord> | undefined> {
  let reads = RUN_READS.get(runs);
  if (!reads) {
    reads = createSharedReads((runId) => runs.getRun(runId));
    RUN_READS.set(runs, reads);
  }
  return reads;
}

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
  const memory = processMemoryOf(deps.incidents);
  const runReads = runReadsOf(deps.runs);
  const hook = deps.boundary ?? (() => undefined);
  const boundary = (name: AlertBoundary, decision: Pick<Decision, "runId" | "incidentId"> | undefined, ...fields: string[]): void =>
    hook(name, { runId: decision?.runId ?? decision?.incidentId ?? "", fields });
  const audit = async (entry: AuditEntry, kind: string): Promise<void> => {
    await deps.audit.append(entry);
    boundary("auditWritten", { incidentId: entry.incidentId ?? null, ...(entry.runId ? { runId: entry.runId } : {}) }, kind, entry.result);
  };

  async function handleAlert(body: unknown, caller: string): Promise<AlertOutcome> {
    const parsed = parseAlert(body);
    if (!parsed.ok) {
      await deps.audit.append({ at: clock.now().toISOString(), who: caller, action: "alert", result: "rejected", detail: parsed.problems.join("; ") });
      return { status: "rejected", problems: parsed.problems };
    }
    const { alert } = parsed;
    const signal = classifyAlert(alert, estate.alerting);
    const key = alertKey(alert.alertId);
    const noticeId = `alert:${key}:${alert.condition}`;
    const delivery = `${noticeId}:${alert.firedAt}:${alert.resolvedAt ?? ""}`;
    /** A delivery answered on a state that holds its record, which this process reached with every effect sent: nothing to send again. */
    const answeredOn = (state: IncidentState | undefined): { decision: Decision; state: IncidentState } | undefined => {
      const recorded = state && answerFromAlertRecords(state, alert, key);
      return state && recorded ? { decision: answeredFromMemory(state, recorded, noticeId), state } : undefined;
    };
    const handled = memory.handled.get(delivery);
    const alongside = memory.finishing.get(delivery);
    // The same delivery again, which this process finished to the end moments ago (its check sent, its notification queued, its
    // audit written): answered on the state it finished with, as a redelivery is on any state holding its record, without sending again.
    // A copy that comes while another invocation here is still finishing it waits for that one alone (not for the other alerts' writes)
    // and is answered the same way; if that one fails, the copy decides and finishes for itself.
    const earlier =
      answeredOn(handled && clock.now().getTime() - handled.at <= HANDLED_FRESH_MS ? handled.state : undefined) ??
      (alongside ? answeredOn(await alongside) : undefined);
    if (earlier) return finishDelivery(earlier);
    const transaction = transactState((state, ctx) => decideOnAlert(state, alert, signal, { ...ctx, alertKey: key }), noticeId, {
      // A duplicate or a late Fired is answered by the alert records alone: the run is not read for it.
      needsRunInfo: (state) => answerFromAlertRecords(state, alert, key) === undefined,
    });
    // Copies wait from now until this delivery is in memory; they go on once its effects are finished (or it failed).
    const settled = transaction.then(
      (r) => r.state,
      () => undefined,
    );
    memory.finishing.set(delivery, settled);
    try {
      return await finishDelivery(await transaction);
    } finally {
      if (memory.finishing.get(delivery) === settled) memory.finishing.delete(delivery);
    }

    /** Audits the delivery, then remembers it: only with its effects finished and its audit written may it be answered from memory. */
    async function finishDelivery({ decision, state: finished }: { decision: Decision; state: IncidentState }): Promise<AlertOutcome> {
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
      memory.handled.set(delivery, { state: keptFor(finished, key, noticeId), at: clock.now().getTime() });
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
  }

  /** The common alert schema parse of `body`, from memory when the same payload was parsed before. */
  function parseAlert(body: unknown): AlertParseResult {
    let text: string | undefined;
    try {
      text = JSON.stringify(body);
    } catch {
      return parseCommonAlert(body);
    }
    const known = text === undefined ? undefined : memory.parsed.get(text);
    if (known) return known;
    const parsed = parseCommonAlert(body);
    // Only what was accepted: a refusal is rare, and its text is the caller's.
    if (parsed.ok && text !== undefined && text.length <= PAYLOAD_REMEMBERED_MAX_CHARS) memory.parsed.set(text, parsed);
    return parsed;
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
        : await deps.engine.startRun(requestFor(owed.playbook), `incident ${state.incidentId ?? ""}: ${owed.reason}`, runId, detectedAtOf(state));
    if (started.started) {
      boundary("runStarted", decided, owed.playbook);
      return transact((s) => recordRunStarted(s, runId), noticeId);
    }
    deps.log.warn("incident run refused by the run lock", { incidentId: state.incidentId, runId, activeRunId: started.activeRunId });
    return transact((s) => recordStartRefused(s, runId, started.activeRunId), `${noticeId}:lock:${started.activeRunId}`);
  }

  /**
   * Reads, decides and writes the incident state under its ETag, retrying on conflict; then
   * finishes effects. The first read and decision take no turn: most deliveries of a storm change
   * nothing (duplicates) and are answered at once. A delivery that changes the state writes in its
   * turn among this process's writers, re-reading only if one of them wrote since its read.
   */
  async function transact(decide: (state: IncidentState, ctx: PolicyContext) => PolicyResult, noticeId: string): Promise<Decision> {
    return (await transactState(decide, noticeId)).decision;
  }

  /** transact, and the state the decision was finished on (saved, or read unchanged). */
  async function transactState(
    decide: (state: IncidentState, ctx: PolicyContext) => PolicyResult,
    noticeId: string,
    options: TransactOptions = {},
  ): Promise<{ decision: Decision; state: IncidentState }> {
    /** Reads the row, or takes what this process wrote last (`known`), and decides on it. */
    const look = async (known?: Versioned<IncidentState>): Promise<Look> => {
      const writes = memory.turns.writes(estate.name);
      const entry = known ?? (await memory.incidentReads.read(estate.name));
      const state = entry?.value ?? NO_INCIDENT;
      const needsRun = options.needsRunInfo?.(state) ?? true;
      const ctx: PolicyContext = {
        alerting: estate.alerting,
        rpoMinutes: estate.objectives.rpoMinutes,
        now: clock.now(),
        newIncidentId: newIncidentId(clock.now()),
        ...(needsRun ? await runInfo(state) : {}),
      };
      return { entry, state, result: decide(state, ctx), writes };
    };
    const first = await look();
    const outcome = first.result.state === first.state ? { seen: first } : await memory.turns.turn(estate.name, () => writeInTurn(first));
    const { seen } = outcome;
    if ("saved" in outcome) {
      const kind = noticeId.split(":")[0] ?? "";
      boundary(
        seen.result.decision.outcome !== "startRun" ? "incidentSaved" : kind === "start" ? "startRecorded" : "startDecided",
        seen.result.decision,
        kind,
        seen.result.decision.outcome,
      );
      await finishEffects(outcome.saved, seen.result.decision, noticeId);
      return { decision: seen.result.decision, state: outcome.saved };
    }
    return { decision: await answerUnchanged(seen.state, seen.result, noticeId), state: seen.state };

    /**
     * Writes the decided state under the ETag read; decides again on what another writer saved:
     * first on what this process's previous writer saved (no read: it is the newest this process
     * knows, and its ETag tells if another instance wrote since), then on a fresh read.
     */
    async function writeInTurn(optimistic: Look): Promise<{ seen: Look; saved?: IncidentState }> {
      let seen = optimistic.writes === memory.turns.writes(estate.name) ? optimistic : await look(memory.turns.lastWritten(estate.name));
      for (let attempt = 0; attempt < MAX_STATE_RETRIES; attempt++) {
        if (attempt > 0) seen = await look();
        const { result } = seen;
        if (result.state === seen.state) return { seen };
        const saved = REMEMBERED.has(result.decision.outcome)
          ? { ...result.state, recentDecisions: rememberDecision(result.state.recentDecisions, remembered(noticeId, result.decision)) }
          : result.state;
        let stored: Versioned<IncidentState>;
        try {
          stored = await deps.incidents.put(estate.name, saved, seen.entry?.etag);
        } catch (error) {
          if (isDrError(error) && (error.code === "PreconditionFailed" || error.code === "Conflict")) continue; // another instance won: decide again on its state
          throw error;
        }
        memory.turns.wrote(estate.name, stored);
        return { seen, saved: stored.value };
      }
      throw new Error(`incident state of ${estate.name}: too much contention`);
    }
  }

  /** A decision that changed nothing: a redelivery of this very delivery finishes what its first one may not have (the notice, under the same id). */
  async function answerUnchanged(state: IncidentState, result: PolicyResult, noticeId: string): Promise<Decision> {
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

  /**
   * What answerUnchanged says of a delivery this process finished to the end: the same decision, with nothing to finish (every effect
   * of its first delivery was sent, and the queues would drop a copy by its message id anyway).
   */
  function answeredFromMemory(state: IncidentState, result: PolicyResult, noticeId: string): Decision {
    const earlier = state.recentDecisions.find((d) => d.key === noticeId);
    return earlier ? { ...result.decision, reason: `${result.decision.reason}; its decision (${earlier.outcome}) was finished already` } : result.decision;
  }

  /** Sends the check the saved state still owes and tells people; never starts a run. */
  async function finishEffects(state: IncidentState, decision: Decision, noticeId: string): Promise<void> {
    // A check this process already scheduled is not sent again: the queue would drop it as a duplicate of its message id anyway.
    if (state.pending && !memory.checksSent.get(state.pending.checkId)) {
      await deps.checks.send([
        { messageId: state.pending.checkId, body: { estate: estate.name, checkId: state.pending.checkId }, deliverAt: new Date(state.pending.dueAt) },
      ]);
      boundary("checkScheduled", decision, state.pending.checkId);
      memory.checksSent.set(state.pending.checkId, true);
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
    const run = (await runReads.read(state.runId))?.value;
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
    const ages = await mapInBatches(vms, RECOVERY_POINT_LISTS_AT_ONCE, async (vm) => {
      const vault = estate.vaults[vm.vault];
      if (!vault) return null;
      const points = await deps.siteRecovery.listRecoveryPoints({ vault, protectedItem: vm.protectedItem });
      const newest = points.reduce((max, p) => Math.max(max, p.time.getTime()), Number.NEGATIVE_INFINITY);
      return Number.isFinite(newest) ? (now - newest) / 1000 : Number.POSITIVE_INFINITY;
    });
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

/**
 * The state a finished delivery is answered on again, without what its answer never reads (the
 * other alerts' records, the other decisions), so that remembering deliveries stays small.
 */
function keptFor(state: IncidentState, key: string, noticeId: string): IncidentState {
  return { ...state, alerts: state.alerts.filter((r) => r.key === key), recentDecisions: state.recentDecisions.filter((d) => d.key === noticeId) };
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

/** The incident's first alert fired time (the outage's detection), for the run report's RTO from detection. */
function detectedAtOf(state: IncidentState): { detectedAt: string } | undefined {
  const fired = state.alerts.filter((a) => a.condition === "Fired").map((a) => a.at);
  const first = [...fired, ...(state.openedAt ? [state.openedAt] : [])].sort((a, b) => Date.parse(a) - Date.parse(b))[0];
  return first === undefined ? undefined : { detectedAt: first };
}
