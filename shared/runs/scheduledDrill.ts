import type { IncidentState } from "../domain/incidents/incidentState.js";
import type { Estate } from "../domain/estate.js";
import type { FailoverRequest, Scope } from "../domain/plan.js";
import type { AuditLog } from "../ports/auditLog.js";
import type { Clock } from "../ports/clock.js";
import type { HealthHistoryEntry } from "../ports/healthHistory.js";
import type { Logger } from "../ports/logger.js";
import type { NotifierPort } from "../ports/notifier.js";
import type { Engine } from "./engine.js";

export type DrillDecision = { readonly run: true; readonly request: FailoverRequest } | { readonly run: false; readonly reason: string };

/**
 * Whether the scheduled drill runs now. Pure: a drill never competes with a real problem, so it is
 * skipped while the kill switch is on, an incident is open, or the latest health check is red.
 */
export function decideScheduledDrill(input: {
  readonly scope: Scope | null;
  readonly cleanupAfterMinutes: number;
  readonly incident: IncidentState;
  readonly latestHealth: HealthHistoryEntry | undefined;
}): DrillDecision {
  const { incident, latestHealth } = input;
  if (!input.scope) return { run: false, reason: "no scheduled drill is configured (DRILL_SCOPE=none)" };
  if (incident.killSwitch?.on) return { run: false, reason: `the kill switch is on (set by ${incident.killSwitch.by}: ${incident.killSwitch.reason})` };
  if (incident.incidentId) return { run: false, reason: `incident ${incident.incidentId} is open (since ${incident.openedAt ?? "unknown"})` };
  if (latestHealth?.overall === "red")
    return { run: false, reason: `the latest health check (${latestHealth.reportId}, ${latestHealth.finishedAt}) is red: ${latestHealth.summary}` };
  return { run: true, request: { mode: "test", scope: input.scope, manualFinish: true, cleanupAfterMinutes: input.cleanupAfterMinutes } };
}

export interface ScheduledDrillDeps {
  readonly estate: Estate;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly notifier: NotifierPort;
  readonly log: Logger;
  readonly scope: Scope | null;
  readonly cleanupAfterMinutes: number;
  currentIncident(): Promise<IncidentState>;
  latestHealth(): Promise<HealthHistoryEntry | undefined>;
}

export type ScheduledDrillOutcome = { readonly outcome: "started"; readonly runId: string } | { readonly outcome: "skipped"; readonly reason: string };

/** The drill timer's work: decide, then start a test failover that cleans itself up, or say why not. */
export async function runScheduledDrill(deps: ScheduledDrillDeps, trigger: string): Promise<ScheduledDrillOutcome> {
  const [incident, latestHealth] = await Promise.all([deps.currentIncident(), deps.latestHealth()]);
  const decision = decideScheduledDrill({ scope: deps.scope, cleanupAfterMinutes: deps.cleanupAfterMinutes, incident, latestHealth });
  const at = deps.clock.now();
  if (!decision.run) return skip(deps, decision.reason, at);
  const started = await deps.engine.startRun(decision.request, trigger);
  if (!started.started) return skip(deps, `run ${started.activeRunId} is active`, at);
  await deps.audit.append({
    at: at.toISOString(),
    who: "system",
    action: "scheduled drill",
    result: "started",
    runId: started.runId,
    detail: `${describe(decision.request.scope)}; cleanup ${deps.cleanupAfterMinutes} min after the last tier is ready${latestHealth ? `; latest health ${latestHealth.overall}` : "; no health report yet"}`,
  });
  deps.log.info("scheduled drill started", { runId: started.runId });
  return { outcome: "started", runId: started.runId };
}

async function skip(deps: ScheduledDrillDeps, reason: string, at: Date): Promise<ScheduledDrillOutcome> {
  await deps.audit.append({ at: at.toISOString(), who: "system", action: "scheduled drill", result: "skipped", detail: reason });
  deps.log.warn("scheduled drill skipped", { reason });
  try {
    await deps.notifier.notify({
      kind: "incidentDecision",
      id: `drill-skipped:${at.toISOString()}`,
      runId: "",
      estate: deps.estate.name,
      mode: "test",
      at,
      summary: `The scheduled drill of ${deps.estate.name} was skipped: ${reason}.`,
    });
  } catch (error) {
    deps.log.warn("drill skip notification failed", { error: error instanceof Error ? error.message : String(error) });
  }
  return { outcome: "skipped", reason };
}

function describe(scope: Scope): string {
  return scope.kind === "all" ? "all VMs" : scope.kind === "tiers" ? `tiers ${scope.tiers.join(", ")}` : `VMs ${scope.vms.join(", ")}`;
}
