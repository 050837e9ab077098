import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { loadEstateFile } from "../shared/config/loadEstateFile.js";
import type { Estate } from "../shared/domain/estate.js";
import type { FailoverRequest } from "../shared/domain/plan.js";
import type { ApiRequest } from "../shared/host/hostTypes.js";
import { alerts } from "../shared/host/http/alerts.js";
import { useAppRoot } from "../shared/root/appRoot.js";
import type { Logger } from "../shared/ports/logger.js";
import type { NotifierPort } from "../shared/ports/notifier.js";
import { buildRunReport } from "../shared/reports/buildRunReport.js";
import { renderRunReportHtml } from "../shared/reports/renderRunReportHtml.js";
import type { RunReport } from "../shared/reports/runReport.js";
import { startAzurite } from "./azurite.js";
import { REPORT_OPTIONS, runCommand, type OptionValues } from "./cliOptions.js";
import { createDevIdentity } from "./devIdentity.js";
import { restampAlert } from "./freshAlert.js";
import { writeHealthReport } from "./healthcheck.js";
import { createLocalStack, type LocalStack } from "./localStack.js";
import { findScenario, SCENARIOS, type Scenario } from "./scenarios.js";

const USAGE = `Usage: npm run drill -- [--scenario <name>] [--estate <file>] [--out <dir>] [--quiet]
Scenarios:
${SCENARIOS.map((s) => `  ${s.name.padEnd(18)} ${s.description}`).join("\n")}`;

/** What the alert path did in a scenario driven by an alert. */
export interface IncidentOutcome {
  readonly incidentId: string | null;
  /** The policy's decisions, in order: the alert's, then each debounce check's (from the audit trail). */
  readonly decisions: readonly { readonly action: string; readonly result: string; readonly detail: string }[];
  /** The run the incident started, if any. */
  readonly runId: string | null;
  /** A health check the incident brought forward (RPO breach), with its verdict. */
  readonly healthCheck: { readonly reportId: string; readonly overall: string; readonly summary: string } | null;
  readonly notifications: readonly string[];
}

export interface DrillResult {
  /** The run's report; absent when the scenario's alert started no run. */
  readonly report: RunReport | undefined;
  /** The request of the run the drill or its alert started. */
  readonly request: FailoverRequest | undefined;
  readonly incident?: IncidentOutcome;
  readonly reportPaths: { readonly json: string; readonly html: string };
  readonly wallMs: number;
  readonly arm: { readonly reads: number; readonly writes: number; readonly failoverCalls: Readonly<Record<string, number>> };
  readonly misuse: readonly string[];
}

/** Runs one simulated scenario end to end through the real engine and writes its report. */
export async function runDrill(options: { estate: Estate; scenario: Scenario; outDir: string; print: (line: string) => void }): Promise<DrillResult> {
  const { estate, scenario, print } = options;
  const wallStart = performance.now();
  const azurite = await startAzurite();
  let stopStack = (): Promise<void> => Promise.resolve();
  try {
    let runStart = Date.now();
    const stamp = (): string => elapsed((stack.clock.now().getTime() - runStart) / 1000);
    const log: Logger = {
      info: (message, p = {}) => {
        if (message !== "step executed" || p.outcome === "waiting") return;
        print(`  ${stamp()}  ${p.outcome === "done" ? "ok   " : "fail "} ${label(p)}  ${text(p.detail)}`);
      },
      warn: (_message, p = {}) => print(`  ${stamp()}  retry ${label(p)}  ${text(p.reason ?? p.error)}`),
      error: (message, p = {}) => print(`  ${stamp()}  ${message === "run failed" ? `STOP  ${text(p.reason)}` : `error ${message} ${JSON.stringify(p)}`}`),
    };
    const notes: string[] = [];
    const notifier: NotifierPort = {
      notify: (e) => {
        notes.push(`${e.kind}: ${e.summary}`);
        return Promise.resolve(print(`  ${stamp()}  note  ${e.summary}`));
      },
    };
    const identity = await createDevIdentity();
    const stack = await createLocalStack({
      estate,
      tableEndpoint: azurite.tableEndpoint,
      log,
      notifier,
      identity,
      // The Action Group signs in with the webhook key here, as the sandbox's does.
      settings: { ALERT_AUTH_MODE: "key" },
      ...(scenario.faults ? { faults: scenario.faults } : {}),
    });
    stopStack = () => stack.stop();

    print(`Scenario ${scenario.name}: ${scenario.description}`);
    print(`Estate ${estate.name}: ${estate.vms.length} VMs in ${estate.tiers.length} tiers, ${Object.keys(estate.vaults).length} vaults`);
    runStart = stack.clock.now().getTime();
    let runId: string | null;
    let incident: IncidentOutcome | undefined;
    if (scenario.alert) {
      incident = { ...(await driveByAlert(stack, scenario.alert.fixture, identity.alertKey, print)), notifications: notes };
      runId = incident.runId;
    } else {
      runId = (await stack.engine.startRun(scenario.request, scenario.trigger)).runId;
      await stack.drain();
    }

    await mkdir(options.outDir, { recursive: true });
    let report: RunReport | undefined;
    let request: FailoverRequest | undefined;
    let reportPaths: { json: string; html: string };
    if (runId) {
      const run = await stack.store.getRun(runId);
      if (!run) throw new Error(`run ${runId} vanished`);
      request = run.value.request;
      report = buildRunReport(estate, run.value, await stack.store.listSteps(runId), stack.clock.now());
      reportPaths = { json: path.join(options.outDir, `${report.runId}.json`), html: path.join(options.outDir, `${report.runId}.html`) };
      await writeFile(reportPaths.json, `${JSON.stringify({ ...report, ...(incident ? { incident } : {}) }, null, 2)}\n`);
      await writeFile(reportPaths.html, renderRunReportHtml(report));
    } else {
      // No run: the incident's own record, beside the health report it brought forward.
      const health = incident?.healthCheck ? await stack.root.healthCheck.history.get(estate.name, incident.healthCheck.reportId) : undefined;
      const html = health ? (await writeHealthReport(health, options.outDir)).html : "";
      const json = path.join(options.outDir, `${incident?.incidentId ?? "incident"}.json`);
      await writeFile(json, `${JSON.stringify({ scenario: scenario.name, estate: estate.name, ...incident }, null, 2)}\n`);
      reportPaths = { json, html };
    }
    const stats = stack.azure.stats();
    return {
      report,
      request,
      ...(incident ? { incident } : {}),
      reportPaths,
      wallMs: performance.now() - wallStart,
      arm: { reads: stats.reads, writes: stats.writes, failoverCalls: stats.failoverCalls },
      misuse: stack.azure.misuse,
    };
  } finally {
    await stopStack();
    await azurite.stop();
  }
}

/**
 * Posts the fixture alert through the alerts route (as the Action Group would: restamped to now,
 * with the webhook key), then lets the incident-check queue and the step queue run as the Functions
 * host would: the debounce check decides, a run starts or not, a health check runs if one was
 * brought forward. Reads back what the policy decided from the audit trail.
 */
async function driveByAlert(stack: LocalStack, fixture: string, alertKey: string, print: (line: string) => void): Promise<IncidentOutcome> {
  const alert = restampAlert(
    JSON.parse(await readFile(new URL(`../test/fixtures/alerts/${fixture}`, import.meta.url), "utf8")) as { data: { essentials: Record<string, unknown> } },
    stack.clock.now(),
  );
  const body = JSON.stringify(alert);
  const request: ApiRequest = {
    method: "POST",
    url: "http://127.0.0.1:7071/api/alerts",
    headers: new Headers({ "content-type": "application/json", "x-functions-key": alertKey }),
    params: {},
    query: new URLSearchParams(),
    text: () => Promise.resolve(body),
  };
  const quiet = (): void => undefined;
  useAppRoot(stack.root);
  const answer = await alerts.handler(request, { invocationId: `drill-${fixture}`, functionName: alerts.name, info: quiet, warn: quiet, error: quiet });
  const decision = (answer.jsonBody ?? {}) as { outcome?: string; reason?: string; incidentId?: string | null };
  print(`  alert  ${fixture}: HTTP ${answer.status ?? 200}, ${decision.outcome ?? "?"}: ${decision.reason ?? ""}`);
  // The debounce check (or the health check brought forward), then the run it started, then anything those scheduled.
  await stack.drainChecks();
  await stack.drain();
  await stack.drainChecks();
  const state = await stack.root.alertsFor({ info: quiet, warn: quiet, error: quiet }).current();
  const incidentId = state.incidentId ?? decision.incidentId ?? null;
  const entries = incidentId ? [...(await stack.audit.list({ incidentId }))].sort((a, b) => a.at.localeCompare(b.at)) : [];
  const decisions = entries
    .filter((e) => e.action.startsWith("alert ") || e.action === "debounce check")
    .map((e) => ({ action: e.action, result: e.result, detail: e.detail ?? "" }));
  for (const d of decisions.slice(1)) print(`  ${d.action}: ${d.result}: ${d.detail}`);
  const [latest] = await stack.root.healthCheck.history.list(stack.estate.name, 1);
  const healthCheck =
    latest && latest.trigger.startsWith("brought forward") ? { reportId: latest.reportId, overall: latest.overall, summary: latest.summary } : null;
  if (healthCheck) print(`  health check brought forward: ${healthCheck.summary}`);
  return { incidentId, decisions, runId: state.runId, healthCheck, notifications: [] };
}

function label(p: Record<string, unknown>): string {
  return `${text(p.tier ?? "estate").padEnd(14)} ${text(p.kind).padEnd(19)} ${text(p.target).padEnd(28)}`;
}

function repeated(calls: Readonly<Record<string, number>>): string {
  const again = Object.entries(calls).filter(([, n]) => n > 1);
  return again.length === 0 ? "" : ` (retried after a failed ASR job: ${again.map(([vm, n]) => `${vm} x${n}`).join(", ")})`;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function elapsed(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `T+${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

function summary(result: DrillResult, estate: Estate): string[] {
  const { report, incident } = result;
  if (!report)
    return [
      "",
      `Outcome        NO RUN: the alert path decided against a failover`,
      ...(incident?.decisions.map((d) => `  ${d.action.padEnd(14)} ${d.result}: ${d.detail}`) ?? []),
      `Health check   ${incident?.healthCheck ? `brought forward: ${incident.healthCheck.summary}` : "not brought forward"}`,
      `Report         ${result.reportPaths.json}`,
      ...(result.reportPaths.html ? [`               ${result.reportPaths.html}`] : []),
    ];
  const rto = report.rtoSeconds;
  const loss = report.dataLossWindowSeconds;
  const lines = [
    "",
    `Outcome        ${report.outcome.toUpperCase()}${report.failureReason ? `: ${report.failureReason}` : ""}`,
    `RTO achieved   ${elapsed(rto).slice(2)} (target ${estate.objectives.rtoMinutes} min: ${rto <= report.rtoTargetSeconds ? "met" : "MISSED"})`,
    `Data loss      ${loss === null ? "not measured" : `${elapsed(loss).slice(2)} window (RPO target ${estate.objectives.rpoMinutes} min: ${loss <= report.rpoTargetSeconds ? "met" : "MISSED"})`}`,
    ...(report.recoveryPointChoice ? [`Recovery point ${report.recoveryPointChoice.choice}: ${report.recoveryPointChoice.meaning}`] : []),
    `Steps          ${report.steps.filter((s) => s.status === "succeeded").length}/${report.steps.length} succeeded`,
    `DNS changes    ${report.dnsChanges.length === 0 ? "none" : `${report.dnsChanges.length} record sets`}`,
    ...report.dnsChanges.map((c) => `  ${c.zoneType.padEnd(8)} ${c.record}: ${c.from.join(", ") || "(none)"} -> ${c.to.join(", ")}`),
    `ARM calls      ${result.arm.reads} reads, ${result.arm.writes} writes (${(result.arm.writes / estate.vms.length).toFixed(2)} per VM)`,
    `Failover calls ${Object.values(result.arm.failoverCalls).reduce((a, b) => a + b, 0)} accepted for ${estate.vms.length} VMs${repeated(result.arm.failoverCalls)}`,
    `Wall time      ${(result.wallMs / 1000).toFixed(1)} s`,
    `Report         ${result.reportPaths.json}`,
    `               ${result.reportPaths.html}`,
  ];
  if (result.misuse.length > 0) lines.push(`Simulated Azure saw malformed requests:`, ...result.misuse.map((m) => `  ${m}`));
  return lines;
}

/** The scenario's promise held: its outcome, the run the alert path had to start (or none), and no malformed request. */
export function drillAsExpected(scenario: Scenario, result: DrillResult): boolean {
  if (result.misuse.length > 0) return false;
  if (scenario.expectedOutcome === "noRun") return !result.report && (!scenario.alert || result.incident?.runId === null);
  if (!result.report || result.report.outcome !== scenario.expectedOutcome) return false;
  return !scenario.alert || JSON.stringify(result.request) === JSON.stringify(scenario.request);
}

const DRILL_OPTIONS = { scenario: { type: "string", default: "expressroute-down" }, ...REPORT_OPTIONS } as const;

async function main(values: OptionValues<typeof DRILL_OPTIONS>): Promise<number> {
  const scenario = findScenario(values.scenario);
  const estate = await loadEstateFile(values.estate);
  const print = values.quiet ? () => undefined : (line: string) => console.log(line);
  const result = await runDrill({ estate, scenario, outDir: values.out, print });
  for (const line of summary(result, estate)) console.log(line);
  const asExpected = drillAsExpected(scenario, result);
  if (!asExpected) console.error(`\nThe drill did not end as the scenario expects (${scenario.expectedOutcome}).`);
  return asExpected ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) runCommand(USAGE, DRILL_OPTIONS, main);
