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
import { renderRoundTripReportHtml } from "../shared/reports/renderRoundTripReportHtml.js";
import { renderRunReportHtml } from "../shared/reports/renderRunReportHtml.js";
import type { RoundTripReport } from "../shared/reports/roundTripReport.js";
import type { RunReport } from "../shared/reports/runReport.js";
import { createRunReports } from "../shared/runs/runReports.js";
import { startAzurite } from "./azurite.js";
import { REPORT_OPTIONS, runCommand, type OptionValues } from "./cliOptions.js";
import { createDevIdentity, type DevIdentity } from "./devIdentity.js";
import { restampAlert } from "./freshAlert.js";
import { writeHealthReport } from "./healthcheck.js";
import { createLocalStack, type LocalStack } from "./localStack.js";
import { driveRoundTrip, type RoundTripDrive } from "./roundTripDrill.js";
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

/** Where one VM's ASR item is at the end of a round trip, read through the product's Site Recovery adapter. */
export interface FinalItemState {
  readonly vm: string;
  readonly provider: string;
  readonly activeLocation: string;
  readonly protectionState: string;
  readonly replicationHealth: string;
}

/** A DNS record set or route the failover moves: its value before the round trip and after it. */
export interface NameBack {
  readonly name: string;
  readonly before: string;
  readonly after: string;
}

/** What the failback scenario did: its runs' reports, the round-trip report, and the estate at the end. */
export interface RoundTripOutcome {
  readonly report: RoundTripReport;
  readonly reportPaths: { readonly json: string; readonly html: string };
  readonly runs: readonly {
    readonly mode: string;
    readonly report: RunReport;
    readonly request: FailoverRequest;
    readonly reportPaths: { readonly json: string; readonly html: string };
  }[];
  readonly replicationWait: RoundTripDrive["replicationWait"];
  readonly stoppedBecause: string | null;
  readonly finalItems: readonly FinalItemState[];
  readonly namesBack: readonly NameBack[];
  /** ASR's PlannedFailover jobs per VM (simulated Azure's job list) and the planned failover POSTs it accepted. */
  readonly plannedFailovers: { readonly jobsByVm: Readonly<Record<string, number>>; readonly accepted: number };
}

export interface DrillResult {
  /** The run's report (a round trip: its last run's); absent when the scenario's alert started no run. */
  readonly report: RunReport | undefined;
  /** The request of the run the drill or its alert started. */
  readonly request: FailoverRequest | undefined;
  readonly incident?: IncidentOutcome;
  readonly roundTrip?: RoundTripOutcome;
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
        print(`  ${stamp()}  ${OUTCOME_LABEL[text(p.outcome)] ?? "fail "} ${label(p)}  ${text(p.detail)}`);
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
    await mkdir(options.outDir, { recursive: true });
    if (scenario.roundTrip) {
      const onPhase = (title: string): void => {
        print("");
        print(title);
        runStart = stack.clock.now().getTime();
      };
      const roundTrip = await roundTripDrill(stack, identity, options.outDir, print, onPhase);
      const last = roundTrip.runs.at(-1);
      const stats = stack.azure.stats();
      return {
        report: last?.report,
        request: last?.request,
        roundTrip,
        reportPaths: roundTrip.reportPaths,
        wallMs: performance.now() - wallStart,
        arm: { reads: stats.reads, writes: stats.writes, failoverCalls: stats.failoverCalls },
        misuse: stack.azure.misuse,
      };
    }
    let runId: string | null;
    let incident: IncidentOutcome | undefined;
    if (scenario.alert) {
      incident = { ...(await driveByAlert(stack, scenario.alert.fixture, identity.alertKey, print)), notifications: notes };
      runId = incident.runId;
    } else {
      runId = (await stack.engine.startRun(scenario.request, scenario.trigger)).runId;
      await stack.drain();
    }

    let report: RunReport | undefined;
    let request: FailoverRequest | undefined;
    let reportPaths: { json: string; html: string };
    if (runId) {
      const run = await stack.store.getRun(runId);
      // Through the run reports, as the API reads them: a failed drill's report says what its cleanup did.
      const reports = createRunReports({
        estate,
        runs: stack.store,
        clock: stack.clock,
        cleanupGraceMinutes: stack.root.runApi.settings.drill.cleanupAfterMinutes,
      });
      report = await reports.report(runId);
      if (!run || !report) throw new Error(`run ${runId} vanished`);
      request = run.value.request;
      reportPaths = await writeRunReport(options.outDir, report, incident ? { incident } : {});
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

async function writeRunReport(outDir: string, report: RunReport, extra: Record<string, unknown> = {}): Promise<{ json: string; html: string }> {
  const paths = { json: path.join(outDir, `${report.runId}.json`), html: path.join(outDir, `${report.runId}.html`) };
  await writeFile(paths.json, `${JSON.stringify({ ...report, ...extra }, null, 2)}\n`);
  await writeFile(paths.html, renderRunReportHtml(report));
  return paths;
}

/**
 * The failback scenario: the three runs of the round trip (roundTripDrill.ts), a report per run, the
 * round-trip report over them, and the estate at the end as ASR, DNS and the route tables hold it.
 */
async function roundTripDrill(
  stack: LocalStack,
  identity: DevIdentity,
  outDir: string,
  print: (line: string) => void,
  onPhase: (title: string) => void,
): Promise<RoundTripOutcome> {
  const { estate } = stack;
  const names = (): Map<string, string> =>
    new Map([
      ...estate.dns.map((d): [string, string] => [
        `${d.name}.${d.zone} (${d.zoneType})`,
        (stack.azure.dnsRecord(d.zoneType, d.zone, d.name)?.addresses ?? []).join(", "),
      ]),
      ...estate.routes.map((r): [string, string] => [`${r.routeTable}/${r.route}`, stack.azure.route(r.routeTable, r.route)?.nextHopIpAddress ?? "(none)"]),
    ]);
  const before = names();
  const drive = await driveRoundTrip(stack, identity, { print, onPhase });
  const now = stack.clock.now();
  const runs = await Promise.all(
    drive.runs.map(async ({ mode, run, steps }) => {
      const report = buildRunReport(estate, run, steps, now);
      return { mode, report, request: run.request, reportPaths: await writeRunReport(outDir, report) };
    }),
  );
  // Read back from the run store as the API would: the runs are linked there by request.failoverRunId.
  const failoverRunId = drive.runs[0]?.run.runId;
  const report = failoverRunId ? await createRunReports({ estate, runs: stack.store, clock: stack.clock }).roundTrip(failoverRunId) : undefined;
  if (!report) throw new Error(`the round trip stopped before its failover run started: ${drive.stoppedBecause ?? "no run"}`);
  const reportPaths = { json: path.join(outDir, `roundtrip-${report.roundTripId}.json`), html: path.join(outDir, `roundtrip-${report.roundTripId}.html`) };
  await writeFile(reportPaths.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(reportPaths.html, renderRoundTripReportHtml(report, now));
  const siteRecovery = stack.root.runApi.reads.siteRecovery;
  const finalItems = await Promise.all(
    estate.vms.map(async (vm) => {
      const vault = estate.vaults[vm.vault];
      if (!vault) throw new Error(`${vm.name}: vault ${vm.vault} is not in the estate`);
      const item = await siteRecovery.getProtectedItem({ vault, protectedItem: vm.protectedItem });
      return {
        vm: vm.name,
        provider: item.provider,
        activeLocation: item.activeLocation,
        protectionState: item.protectionState,
        replicationHealth: item.replicationHealth,
      };
    }),
  );
  const after = names();
  const namesBack = [...before].map(([name, value]) => ({ name, before: value, after: after.get(name) ?? "" }));
  return {
    report,
    reportPaths,
    runs,
    replicationWait: drive.replicationWait,
    stoppedBecause: drive.stoppedBecause,
    finalItems,
    namesBack,
    plannedFailovers: plannedFailoversOf(stack),
  };
}

/** Simulated Azure's PlannedFailover jobs per VM (an item's key ends with its protected item's name). */
function plannedFailoversOf(stack: LocalStack): RoundTripOutcome["plannedFailovers"] {
  const world = stack.azure.snapshot();
  const jobsByVm: Record<string, number> = {};
  for (const job of world.jobs.filter((j) => j.scenario === "PlannedFailover")) {
    const vm = stack.estate.vms.find((v) => job.item.endsWith(`|${v.protectedItem.toLowerCase()}`))?.name ?? job.item;
    jobsByVm[vm] = (jobsByVm[vm] ?? 0) + 1;
  }
  return { jobsByVm, accepted: world.stats.byOperation["ReplicationProtectedItems_PlannedFailover"] ?? 0 };
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

/** How a step execution ended, as the progress lines show it: done, waits for a person, follows an ASR job. */
const OUTCOME_LABEL: Readonly<Record<string, string>> = { done: "ok   ", parked: "wait ", followingJob: "job  " };

function label(p: Record<string, unknown>): string {
  return `${text(p.tier ?? "estate").padEnd(14)} ${text(p.kind).padEnd(24)} ${text(p.target).padEnd(28)}`;
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

/** The round trip's end: each run, the failover's RTO, the failback's downtime, where every VM and name is. */
function roundTripSummary(result: DrillResult, trip: RoundTripOutcome, estate: Estate): string[] {
  const r = trip.report;
  const minutes = (s: number | null | undefined): string => (s === null || s === undefined ? "not measured" : elapsed(s).slice(2));
  const protectedAgain = trip.finalItems.filter(isProtectedTowardsAzure);
  const namesBack = trip.namesBack.filter((n) => n.after === n.before);
  return [
    "",
    `Round trip     ${r.status.toUpperCase()}: ${r.summary}`,
    ...(trip.stoppedBecause ? [`Stopped        ${trip.stoppedBecause}`] : []),
    ...r.phases.map(
      (p) => `  ${p.phase.padEnd(13)} ${p.runId}  ${p.outcome.padEnd(9)} ${minutes(p.durationSeconds)}${p.approvedBy ? `  approved by ${p.approvedBy}` : ""}`,
    ),
    `Failover RTO   ${r.failover ? `${minutes(r.failover.rtoFromDetectionSeconds)} (target ${estate.objectives.rtoMinutes} min: ${r.failover.rtoMet ? "met" : "MISSED"})` : "not measured"}`,
    `Replication    back to vSphere healthy after ${minutes(r.replicationBack?.seconds)} (${trip.replicationWait.looks} dry-run look(s), ${minutes(trip.replicationWait.simulatedSeconds)} waited)`,
    `Downtime       of the failback ${minutes(r.failback?.downtimeSeconds)}${r.failback?.tiers.length ? ` (${r.failback.tiers.map((t) => `${t.tier} ${minutes(t.downtimeSeconds)}`).join(", ")})` : ""}`,
    `Failback calls ${trip.plannedFailovers.accepted} planned failovers accepted for ${trip.finalItems.length} VMs${repeated(trip.plannedFailovers.jobsByVm)}`,
    `Protected      ${protectedAgain.length}/${trip.finalItems.length} VMs towards Azure again (InMageRcm, Primary, Protected)`,
    ...trip.finalItems.filter((i) => !isProtectedTowardsAzure(i)).map((i) => `  ${i.vm}: ${i.provider}, ${i.activeLocation}, ${i.protectionState}`),
    `Names back     ${namesBack.length}/${trip.namesBack.length} DNS record sets and routes hold their on-premises values`,
    ...trip.namesBack.map(
      (n) => `  ${n.name.padEnd(44)} ${n.after === n.before ? `holds ${n.after}, as before the failover` : `holds ${n.after}, NOT back at ${n.before}`}`,
    ),
    `ARM calls      ${result.arm.reads} reads, ${result.arm.writes} writes`,
    `Wall time      ${(result.wallMs / 1000).toFixed(1)} s`,
    `Reports        ${trip.runs.map((run) => run.reportPaths.json).join("\n               ")}`,
    `Round trip     ${trip.reportPaths.json}`,
    `               ${trip.reportPaths.html}`,
    ...(result.misuse.length > 0 ? [`Simulated Azure saw malformed requests:`, ...result.misuse.map((m) => `  ${m}`)] : []),
  ];
}

/** Back where it started: replicating from vSphere to Azure, as before the failover. */
export function isProtectedTowardsAzure(item: FinalItemState): boolean {
  return item.provider === "InMageRcm" && item.activeLocation === "Primary" && item.protectionState === "Protected";
}

function summary(result: DrillResult, estate: Estate): string[] {
  const { report, incident } = result;
  if (result.roundTrip) return roundTripSummary(result, result.roundTrip, estate);
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
  if (scenario.roundTrip) {
    const trip = result.roundTrip;
    return (
      trip !== undefined &&
      trip.report.status === "complete" &&
      trip.finalItems.every(isProtectedTowardsAzure) &&
      trip.namesBack.every((n) => n.after === n.before) &&
      trip.plannedFailovers.accepted === trip.finalItems.length &&
      trip.finalItems.every((i) => trip.plannedFailovers.jobsByVm[i.vm] === 1)
    );
  }
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
