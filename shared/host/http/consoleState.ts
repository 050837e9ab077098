import type { HealthCheck, HealthReport } from "../../domain/health/healthReport.js";
import type { IncidentState } from "../../domain/incidents/incidentState.js";
import { tiersInDependencyOrder } from "../../reports/tierOrder.js";
import type { AppRoot } from "../../root/appRoot.js";
import type { UserCall } from "./route.js";

/** A health check as the console shows it: status in words, the reason, and the advice's titles. */
function checkView(check: HealthCheck): Record<string, unknown> {
  return { kind: check.kind, subject: check.subject, title: check.title, status: check.status, reason: check.reason, advice: check.advice.map((a) => a.title) };
}

/** What the incident waits for, in words, so the console never has to guess from the state's fields. */
export function waitingFor(state: IncidentState): string[] {
  const waits: string[] = [];
  if (state.pending) waits.push(`debounce: the ${state.pending.playbook} signal must persist until ${state.pending.dueAt}`);
  if (state.awaitingApproval) waits.push(`approval by an approver (POST /api/incidents/approve): ${state.awaitingApproval.reason}`);
  if (state.startOwed) waits.push(`the start of run ${state.startOwed.runId} (${state.startOwed.reason})`);
  if (state.rpoBreached) waits.push("RPO gate: replication is behind the RPO target, so no failover starts on its own");
  return waits;
}

function incidentView(state: IncidentState): Record<string, unknown> {
  return {
    incidentId: state.incidentId,
    openedAt: state.openedAt,
    lastSignalAt: state.lastSignalAt,
    circuitsDown: state.circuitsDown,
    natLostSince: state.natLostSince,
    siteHeartbeatLostSince: state.siteHeartbeatLostSince,
    rpoBreached: state.rpoBreached,
    failoverSources: state.failoverSources,
    alerts: state.alerts.map((a) => ({ condition: a.condition, at: a.at })),
    awaitingApproval: state.awaitingApproval,
    runId: state.runId,
    runPlaybook: state.runPlaybook,
    waitingFor: waitingFor(state),
    decisions: [...state.recentDecisions]
      .reverse()
      .slice(0, 10)
      .map(({ outcome, reason, runId }) => ({ outcome, reason, runId: runId ?? null })),
  };
}

/** The estate with the latest health check folded into each VM: what the estate view shows at a glance. */
function estateView(root: AppRoot, latest: HealthReport | undefined): Record<string, unknown> {
  const { estate } = root;
  const vmHealth = new Map((latest?.vms ?? []).map((v) => [v.vm, v]));
  const order = tiersInDependencyOrder(estate);
  return {
    name: estate.name,
    objectives: estate.objectives,
    recoveryPoint: estate.recoveryPoint,
    tiers: order.map((name) => {
      const tier = estate.tiers.find((t) => t.name === name);
      return {
        name,
        dependsOn: tier?.dependsOn ?? [],
        vms: estate.vms
          .filter((vm) => vm.tier === name)
          .map((vm) => {
            const health = vmHealth.get(vm.name);
            return { name: vm.name, vault: vm.vault, status: health?.status ?? "unknown", checks: (health?.checks ?? []).map(checkView) };
          }),
      };
    }),
    estateChecks: (latest?.estateChecks ?? []).map(checkView),
    health: latest ? { reportId: latest.reportId, startedAt: latest.startedAt, overall: latest.overall, summary: latest.summary } : null,
  };
}

/**
 * A health report is written once and never changed, so the newest one read is kept per history
 * store: an open console reads the state every 5 s, and after the first read that costs no Table
 * read of the report until a new one is listed.
 */
const keptReports = new WeakMap<object, HealthReport>();
async function latestReport(root: AppRoot, reportId: string | undefined): Promise<HealthReport | undefined> {
  if (reportId === undefined) return undefined;
  const store = root.healthCheck.history;
  const kept = keptReports.get(store);
  if (kept?.reportId === reportId && kept.estate === root.estate.name) return kept;
  const report = await store.get(root.estate.name, reportId);
  if (report) keptReports.set(store, report);
  return report;
}

/** GET /api/console/state: who is signed in, the estate's readiness, the incident and the active run, in one read. */
export async function consoleState(call: UserCall): Promise<Record<string, unknown>> {
  const { root, principal, log } = call;
  const [incident, history, activeRunId] = await Promise.all([
    root.alertsFor(log).current(),
    root.healthCheck.history.list(root.estate.name, 1),
    root.runs.runLockHolder(root.estate.name),
  ]);
  const latest = await latestReport(root, history[0]?.reportId);
  return {
    me: { id: principal.id, name: principal.name, roles: principal.roles },
    rules: { separateApprover: root.runApi.settings.separateApprover },
    now: root.clock.now().toISOString(),
    estate: estateView(root, latest),
    killSwitch: incident.killSwitch ?? { on: false },
    incident: incidentView(incident),
    activeRunId: activeRunId ?? null,
  };
}
