import { randomBytes } from "node:crypto";
import { z } from "zod";
import { queueBodyParser } from "../config/queueBody.js";
import { classifyAlert } from "../domain/alerts/classifyAlert.js";
import { parseCommonAlert } from "../domain/alerts/commonAlert.js";
import { NO_INCIDENT, type IncidentState, type Playbook } from "../domain/alerts/incidentState.js";
import { decideOnAlert, decideOnApproval, decideOnCheck, setKillSwitch, type Decision, type PolicyContext, type PolicyResult, type RunInfo } from "../domain/alerts/incidentPolicy.js";
import type { Estate } from "../domain/estate.js";
import type { FailoverRequest } from "../domain/plan.js";
import type { Engine } from "../engine/engine.js";
import type { AuditLog } from "../ports/auditLog.js";
import type { Clock } from "../ports/clock.js";
import { isDrError } from "../ports/errors.js";
import type { IncidentStore } from "../ports/incidentStore.js";
import type { Logger } from "../ports/logger.js";
import type { NotifierPort } from "../ports/notifier.js";
import type { QueuePort } from "../ports/queue.js";
import type { RunStore } from "../ports/runStore.js";
import type { SiteRecoveryPort } from "../ports/siteRecovery.js";

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
}

export type AlertOutcome =
  | { readonly status: "rejected"; readonly problems: readonly string[] }
  | { readonly status: "handled"; readonly decision: Decision };

const MAX_STATE_RETRIES = 20;
/** Decisions people are told about; the rest are recorded only. */
const NOTIFIED: ReadonlySet<Decision["outcome"]> = new Set(["warning", "diagnose", "awaitingApproval", "blockedByKillSwitch", "noFailback", "cancelled", "coolingDown", "waitingForSecondSignal"]);

/**
 * Turns alerts into decisions and decisions into effects. The incident state is saved before any
 * effect, and every call finishes whatever effects the saved state still owes (a check message not
 * yet sent, a run not yet created), so a crash or a retried delivery never loses or repeats one.
 */
export function createAlertService(deps: AlertServiceDeps): {
  handleAlert(body: unknown, caller: string): Promise<AlertOutcome>;
  handleCheck(message: IncidentCheckMessage): Promise<Decision>;
  approve(by: string): Promise<Decision>;
  setKillSwitch(on: boolean, by: string, reason: string): Promise<IncidentState>;
  current(): Promise<IncidentState>;
} {
  const { estate, clock } = deps;

  async function handleAlert(body: unknown, caller: string): Promise<AlertOutcome> {
    const parsed = parseCommonAlert(body);
    if (!parsed.ok) {
      await deps.audit.append({ at: clock.now().toISOString(), who: caller, action: "alert", result: "rejected", detail: parsed.problems.join("; ") });
      return { status: "rejected", problems: parsed.problems };
    }
    const { alert } = parsed;
    const signal = classifyAlert(alert, estate.alerting);
    const decision = await transact((state, ctx) => decideOnAlert(state, alert, signal, ctx));
    await deps.audit.append({
      at: clock.now().toISOString(),
      who: caller,
      action: `alert ${alert.condition.toLowerCase()}: ${alert.rule}`,
      result: decision.outcome,
      alertId: alert.alertId,
      ...(decision.incidentId ? { incidentId: decision.incidentId } : {}),
      ...(decision.runId ? { runId: decision.runId } : {}),
      detail: decision.reason,
    });
    deps.log.info("alert decided", { alertId: alert.alertId, rule: alert.rule, signal: signal.kind, outcome: decision.outcome, incidentId: decision.incidentId, runId: decision.runId });
    return { status: "handled", decision };
  }

  async function handleCheck(message: IncidentCheckMessage): Promise<Decision> {
    const before = (await deps.incidents.get(estate.name))?.value ?? NO_INCIDENT;
    const age = before.pending ? await recoveryPointAge(before.pending.playbook) : null;
    const decision = await transact((state, ctx) => decideOnCheck(state, message.checkId, { ...ctx, recoveryPointAgeSeconds: age }));
    await deps.audit.append({ at: clock.now().toISOString(), who: "system", action: "debounce check", result: decision.outcome, detail: decision.reason, ...(decision.incidentId ? { incidentId: decision.incidentId } : {}), ...(decision.runId ? { runId: decision.runId } : {}) });
    deps.log.info("incident check decided", { checkId: message.checkId, outcome: decision.outcome, incidentId: decision.incidentId, runId: decision.runId });
    return decision;
  }

  async function approve(by: string): Promise<Decision> {
    const decision = await transact((state, ctx) => decideOnApproval(state, by, ctx));
    await deps.audit.append({ at: clock.now().toISOString(), who: by, action: "approve incident failover", result: decision.outcome, detail: decision.reason, ...(decision.runId ? { runId: decision.runId } : {}) });
    return decision;
  }

  async function changeKillSwitch(on: boolean, by: string, reason: string): Promise<IncidentState> {
    let saved: IncidentState = NO_INCIDENT;
    await transact((state, ctx) => {
      saved = setKillSwitch(state, on, by, reason, ctx.now);
      return { state: saved, decision: { outcome: "recorded", reason: `kill switch ${on ? "on" : "off"}`, incidentId: state.incidentId } };
    });
    await deps.audit.append({ at: clock.now().toISOString(), who: by, action: `kill switch ${on ? "on" : "off"}`, result: "recorded", detail: reason });
    return saved;
  }

  /** Reads, decides and writes the incident state under its ETag, retrying on conflict; then finishes effects. */
  async function transact(decide: (state: IncidentState, ctx: PolicyContext) => PolicyResult): Promise<Decision> {
    for (let attempt = 0; attempt < MAX_STATE_RETRIES; attempt++) {
      const entry = await deps.incidents.get(estate.name);
      const state = entry?.value ?? NO_INCIDENT;
      const ctx: PolicyContext = { alerting: estate.alerting, rpoMinutes: estate.objectives.rpoMinutes, now: clock.now(), newIncidentId: newIncidentId(clock.now()), ...(await runInfo(state)) };
      const result = decide(state, ctx);
      if (result.state !== state) {
        try {
          await deps.incidents.put(estate.name, result.state, entry?.etag);
        } catch (error) {
          if (isDrError(error) && (error.code === "PreconditionFailed" || error.code === "Conflict")) continue; // another delivery won: decide again on its state
          throw error;
        }
      }
      await finishEffects(result.state, result.decision);
      return result.decision;
    }
    throw new Error(`incident state of ${estate.name}: too much contention`);
  }

  async function finishEffects(state: IncidentState, decision: Decision): Promise<void> {
    if (state.pending) {
      await deps.checks.send([{ messageId: state.pending.checkId, body: { estate: estate.name, checkId: state.pending.checkId }, deliverAt: new Date(state.pending.dueAt) }]);
    }
    if (state.runId && state.runPlaybook && !(await deps.runs.getRun(state.runId))) {
      const started = await deps.engine.startRun(requestFor(state.runPlaybook), `incident ${state.incidentId ?? ""}: ${decision.reason}`, state.runId);
      if (!started.started) deps.log.warn("incident run not started: another run is active", { incidentId: state.incidentId, runId: state.runId, activeRunId: started.activeRunId });
    }
    if (NOTIFIED.has(decision.outcome)) {
      await deps.notifier.notify({
        kind: decision.outcome === "awaitingApproval" ? "approvalNeeded" : "incidentDecision",
        // One notification per incident and decision: repeats of the same decision are deduplicated.
        id: `${decision.incidentId ?? "estate"}:${decision.outcome}:${state.seen.length}`,
        runId: decision.runId ?? decision.incidentId ?? "",
        estate: estate.name,
        mode: "unplanned",
        at: clock.now(),
        summary: decision.reason,
        ...(decision.outcome === "awaitingApproval"
          ? { approval: { what: `${decision.playbook === "edgeFailover" ? "Edge-tier" : "Full site"} failover of ${estate.name}`, how: "POST /api/incidents/approve with the approver role" } }
          : {}),
      });
    }
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

function newIncidentId(now: Date): string {
  return `inc-${now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}-${randomBytes(2).toString("hex")}`;
}
