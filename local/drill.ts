import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { loadEstateFile } from "../shared/config/loadEstateFile.js";
import type { Estate } from "../shared/domain/estate.js";
import type { Logger } from "../shared/ports/logger.js";
import type { NotifierPort } from "../shared/ports/notifier.js";
import { buildRunReport } from "../shared/reports/buildRunReport.js";
import { renderRunReportHtml } from "../shared/reports/renderRunReportHtml.js";
import type { RunReport } from "../shared/reports/runReport.js";
import { startAzurite } from "./azurite.js";
import { REPORT_OPTIONS, runCommand, type OptionValues } from "./cliOptions.js";
import { createLocalStack } from "./localStack.js";
import { findScenario, SCENARIOS, type Scenario } from "./scenarios.js";

const USAGE = `Usage: npm run drill -- [--scenario <name>] [--estate <file>] [--out <dir>] [--quiet]
Scenarios:
${SCENARIOS.map((s) => `  ${s.name.padEnd(18)} ${s.description}`).join("\n")}`;

export interface DrillResult {
  readonly report: RunReport;
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
    const notifier: NotifierPort = { notify: (e) => Promise.resolve(print(`  ${stamp()}  note  ${e.summary}`)) };
    const stack = await createLocalStack({
      estate,
      tableEndpoint: azurite.tableEndpoint,
      log,
      notifier,
      ...(scenario.faults ? { faults: scenario.faults } : {}),
    });
    stopStack = () => stack.stop();

    print(`Scenario ${scenario.name}: ${scenario.description}`);
    print(`Estate ${estate.name}: ${estate.vms.length} VMs in ${estate.tiers.length} tiers, ${Object.keys(estate.vaults).length} vaults`);
    runStart = stack.clock.now().getTime();
    const started = await stack.engine.startRun(scenario.request, scenario.trigger);
    await stack.drain();

    const run = await stack.store.getRun(started.runId);
    if (!run) throw new Error(`run ${started.runId} vanished`);
    const report = buildRunReport(estate, run.value, await stack.store.listSteps(started.runId), stack.clock.now());
    await mkdir(options.outDir, { recursive: true });
    const json = path.join(options.outDir, `${report.runId}.json`);
    const html = path.join(options.outDir, `${report.runId}.html`);
    await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(html, renderRunReportHtml(report));
    const stats = stack.azure.stats();
    return {
      report,
      reportPaths: { json, html },
      wallMs: performance.now() - wallStart,
      arm: { reads: stats.reads, writes: stats.writes, failoverCalls: stats.failoverCalls },
      misuse: stack.azure.misuse,
    };
  } finally {
    await stopStack();
    await azurite.stop();
  }
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
  const { report } = result;
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

const DRILL_OPTIONS = { scenario: { type: "string", default: "expressroute-down" }, ...REPORT_OPTIONS } as const;

async function main(values: OptionValues<typeof DRILL_OPTIONS>): Promise<number> {
  const scenario = findScenario(values.scenario);
  const estate = await loadEstateFile(values.estate);
  const print = values.quiet ? () => undefined : (line: string) => console.log(line);
  const result = await runDrill({ estate, scenario, outDir: values.out, print });
  for (const line of summary(result, estate)) console.log(line);
  const asExpected = result.report.outcome === scenario.expectedOutcome && result.misuse.length === 0;
  if (!asExpected) console.error(`\nThe drill did not end as the scenario expects (${scenario.expectedOutcome}).`);
  return asExpected ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) runCommand(USAGE, DRILL_OPTIONS, main);
