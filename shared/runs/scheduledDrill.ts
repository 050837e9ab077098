import type { IncidentState } from "../domain/incidents/incidentState.js";
import type { Estate } from "../domain/estate.js";
import type { FailoverRequest, Scope } from "../domain/plan.js";
import type { AuditLog } from "../ports/auditLog.js";
import type { Clock } from "../ports/clock.js";
import type { CheckKind, HealthReport } from "../domain/health/healthReport.js";
import { describeLeftovers, type LeftoverTestVm } from "../domain/health/leftoverTestVms.js";
import type { Logger } from "../ports/logger.js";
import type { NotifierPort } from "../ports/notifier.js";
import type { Engine } from "./engine.js";

export type DrillDecision = { readonly run: true; readonly request: FailoverRequest } | { readonly run: false; readonly reason: string };

/**
 * A health report older than this holds a drill back: the nightly check runs every 24 h, and 2 h
 * more cover a timer that fired late or a check that took its full budget. Older, the verdict no
 * longer says whether the estate is fit for a drill.
 */
export const MAX_HEALTH_REPORT_AGE_HOURS = 26;

/**
 * Amber findings a drill itself remedies, so they never hold one back: its test failover refreshes
 * each VM's last successful test failover, and its in-guest checks prove Run Command in the test VMs.
 */
export const DRILL_REMEDIES: ReadonlySet<CheckKind> = new Set<CheckKind>(["testFailover", "guestAgent"]);

/** The test failovers ASR holds now, or why they could not be read. */
export type LeftoverRead = { readonly ok: true; readonly value: readonly LeftoverTestVm[] } | { readonly ok: false; readonly reason: string };

/**
 * Whether the scheduled drill runs now. Pure: a drill never competes with a real problem and never
 * starts on an estate nobody vouched for, so it is skipped while the kill switch is on, an incident
 * is open, ASR still holds test VMs (its test failovers would be refused and fail the drill), or the
 * latest health report is missing, stale, red or amber for something a drill does not remedy.
 */
export function decideScheduledDrill(input: {
  readonly scope: Scope | null;
  readonly cleanupAfterMinutes: number;
  readonly incident: IncidentState;
  readonly latestHealth: HealthReport | undefined;
  readonly leftovers: LeftoverRead;
  readonly now: Date;
}): DrillDecision {
  const { incident, latestHealth: health, leftovers } = input;
  if (!input.scope) return { run: false, reason: "no scheduled drill is configured (DRILL_SCOPE=none)" };
  if (incident.killSwitch?.on) return { run: false, reason: `the kill switch is on (set by ${incident.killSwitch.by}: ${incident.killSwitch.reason})` };
  if (incident.incidentId) return { run: false, reason: `incident ${incident.incidentId} is open (since ${incident.openedAt ?? "unknown"})` };
  if (!leftovers.ok) return { run: false, reason: `could not confirm that no test VM is left in ASR (${leftovers.reason})` };
  if (leftovers.value.length > 0)
    return {
      run: false,
      reason: `ASR still holds test failovers: ${describeLeftovers(leftovers.value)}; clean them up first (POST /api/runs/<runId>/cleanup for the drill that left them, or Cleanup test failover in the vault)`,
    };
  if (!health) return { run: false, reason: "no health report yet: run the health check first (it vouches for the estate before a drill)" };
  const ageHours = (input.now.getTime() - Date.parse(health.finishedAt)) / 3_600_000;
  if (!(ageHours <= MAX_HEALTH_REPORT_AGE_HOURS))
    return {
      run: false,
      reason: `the latest health report (${health.reportId}, ${health.finishedAt}) is ${Math.round(ageHours)} h old, over the ${MAX_HEALTH_REPORT_AGE_HOURS} h limit: is the nightly health check running?`,
    };
  if (health.overall === "red") return { run: false, reason: `the latest health check (${health.reportId}, ${health.finishedAt}) is red: ${health.summary}` };
  const blocking = [...health.vms.flatMap((v) => v.checks.map((c) => ({ ...c, title: `${v.vm} ${c.title}` }))), ...health.estateChecks].filter(
    (c) => c.status === "amber" && !DRILL_REMEDIES.has(c.kind),
  );
  if (blocking.length > 0)
    return {
      run: false,
      reason: `the latest health check (${health.reportId}, ${health.finishedAt}) is amber: ${blocking
        .slice(0, 4)
        .map((c) => c.title)
        .join("; ")}${blocking.length > 4 ? `; and ${blocking.length - 4} more` : ""}`,
    };
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
  /** The newest health report in full (its checks say whether amber is something a drill remedies). */
  latestHealth(): Promise<HealthReport | undefined>;
  /** The test failovers ASR holds now, read live; throws when a vault cannot be read. */
  leftoverTestVms(): Promise<readonly LeftoverTestVm[]>;
}

export type ScheduledDrillOutcome = { readonly outcome: "started"; readonly runId: string } | { readonly outcome: "skipped"; readonly reason: string };

/** The drill timer's work: decide, then start a test failover that cleans itself up, or say why not. */
export async function runScheduledDrill(deps: ScheduledDrillDeps, trigger: string): Promise<ScheduledDrillOutcome> {
  const [incident, latestHealth, leftovers] = await Promise.all([
    deps.currentIncident(),
    deps.latestHealth(),
    deps.leftoverTestVms().then(
      (value): LeftoverRead => ({ ok: true, value }),
      (error: unknown): LeftoverRead => ({ ok: false, reason: error instanceof Error ? error.message.slice(0, 300) : String(error) }),
    ),
  ]);
  const at = deps.clock.now();
  const decision = decideScheduledDrill({ scope: deps.scope, cleanupAfterMinutes: deps.cleanupAfterMinutes, incident, latestHealth, leftovers, now: at });
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
