import { AzureNamedKeyCredential } from "@azure/data-tables";
import type { Timer } from "@azure/functions";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { createHealthPorts } from "../shared/adapters/healthPorts.js";
import { createTableHealthHistory } from "../shared/adapters/tableHealthHistory.js";
import { loadEstateFile } from "../shared/config/loadEstateFile.js";
import type { Estate } from "../shared/domain/estate.js";
import type { HealthReport } from "../shared/domain/health/healthReport.js";
import { healthCheckRootFrom, useHealthCheckRoot, type HealthCheckRoot } from "../shared/health/healthCheckRoot.js";
import { createRunHistoryReader } from "../shared/health/runHistoryReader.js";
import type { HealthReadLimits } from "../shared/health/readHealthSnapshot.js";
import { renderHealthReportHtml } from "../shared/health/renderHealthReportHtml.js";
import type { HealthCheckOutcome } from "../shared/health/runHealthCheck.js";
import type { Clock } from "../shared/ports/clock.js";
import type { HealthHistoryPort } from "../shared/ports/healthHistory.js";
import type { RunStore } from "../shared/ports/runStore.js";
import { silentLogger, type Logger } from "../shared/ports/logger.js";
import type { NotifierPort, RunEvent } from "../shared/ports/notifier.js";
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite } from "./azurite.js";
import { REPORT_OPTIONS, runCommand, type OptionValues } from "./cliOptions.js";
import { HEALTH_PROBLEMS, healthFaultsFromProblems } from "./simulated-azure/healthFaults.js";
import { createSimulatedAzure, type FaultPlan, type SimulatedAzure } from "./simulated-azure/simulatedAzure.js";
import { SimulatedClock } from "./simulatedClock.js";

export interface LocalHealthCheckOptions {
  readonly estate: Estate;
  readonly tableEndpoint: string;
  readonly faults?: FaultPlan;
  /** An existing simulated Azure to read (the sandbox's, so the check sees its runs); else one is created with `faults`. */
  readonly azure?: SimulatedAzure;
  /** Share the history table with a local stack (the sandbox's scheduled drills read it). */
  readonly tablePrefix?: string;
  /** A local stack's run store: drills it ran prove Run Command in the recovered VMs. Absent, that check is left out. */
  readonly runStore?: RunStore;
  readonly clock?: Clock;
  readonly limits?: Partial<HealthReadLimits>;
  readonly notifier?: NotifierPort;
  /** SDK retries against the simulator: real Retry-After, short backoff. */
  readonly retryOptions?: { readonly maxRetries?: number; readonly retryDelayInMs?: number; readonly maxRetryDelayInMs?: number };
}

export interface LocalHealthCheck {
  readonly root: HealthCheckRoot;
  readonly azure: SimulatedAzure;
  readonly history: HealthHistoryPort;
  readonly clock: Clock;
  /** Events the health check sent to its notifier. */
  readonly events: readonly RunEvent[];
}

/**
 * The health check's production code (readers, rules, history, notification) against simulated Azure
 * and Table Storage on Azurite: the same root the timer function runs, so the sandbox can install it
 * with `useHealthCheckRoot(local.root)` and fire the timer.
 */
export async function createLocalHealthCheck(options: LocalHealthCheckOptions): Promise<LocalHealthCheck> {
  const clock = options.clock ?? new SimulatedClock(new Date(), { realTime: true });
  const azure = options.azure ?? createSimulatedAzure({ estate: options.estate, clock, ...(options.faults ? { faults: options.faults } : {}) });
  const ports = createHealthPorts({
    credential: azure.credential,
    subscriptionId: options.estate.subscriptionId,
    clock,
    httpClient: azure.httpClient,
    retryOptions: options.retryOptions ?? { maxRetries: 3, retryDelayInMs: 5, maxRetryDelayInMs: 50 },
  });
  const history = await createTableHealthHistory({
    endpoint: options.tableEndpoint,
    credential: new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    clientOptions: { allowInsecureConnection: true },
    tablePrefix: options.tablePrefix ?? `h${randomBytes(4).toString("hex")}`,
  });
  const events: RunEvent[] = [];
  const notifier: NotifierPort = options.notifier ?? { notify: (event) => Promise.resolve(void events.push(event)) };
  const root = healthCheckRootFrom((log) => ({
    estate: options.estate,
    readers: options.runStore ? { ...ports, runHistory: createRunHistoryReader({ store: options.runStore, estate: options.estate }) } : ports,
    history,
    notifier,
    clock,
    log,
    ...(options.limits ? { limits: options.limits } : {}),
  }));
  return { root, azure, history, clock, events };
}

/** A Timer as the Functions host passes it. */
export function timerInfo(now: Date, isPastDue: boolean): Timer {
  return { isPastDue, schedule: { adjustForDST: false }, scheduleStatus: { last: now.toISOString(), next: now.toISOString(), lastUpdated: now.toISOString() } };
}

/** Fires the timer function's own handler (as the host would) with `root` installed, and returns what it ran. */
export async function fireHealthCheckTimer(root: HealthCheckRoot, options: { now: Date; isPastDue?: boolean; invocationId?: string; log?: Logger }): Promise<HealthCheckOutcome> {
  // Loaded here, not at the top: importing the Functions library outside the host prints its test-mode warnings.
  const [lib, { handleHealthCheckTimer, HEALTH_CHECK_FUNCTION }] = await Promise.all([import("@azure/functions"), import("../functions/healthCheck.js")]);
  // CommonJS under ESM: the classes hang off the default export with Node's loader, off the namespace with others.
  const fromDefault: typeof lib.default | undefined = lib.default;
  const functions: typeof lib.default = fromDefault ?? lib;
  let outcome: HealthCheckOutcome | undefined;
  useHealthCheckRoot({ run: async (request, log) => (outcome = await root.run(request, log)) });
  const log = options.log ?? silentLogger;
  // @azure/functions is CommonJS: Node's ESM loader exposes InvocationContext only on the default export.
  const context = new functions.InvocationContext({
    functionName: HEALTH_CHECK_FUNCTION,
    invocationId: options.invocationId ?? `local-${randomBytes(4).toString("hex")}`,
    logHandler: (level, message, properties) => {
      const text = typeof message === "string" ? message : JSON.stringify(message);
      const props = typeof properties === "object" && properties !== null ? (properties as Record<string, unknown>) : {};
      if (level === "error") log.error(text, props);
      else if (level === "warning") log.warn(text, props);
      else log.info(text, props);
    },
  });
  await handleHealthCheckTimer(timerInfo(options.now, options.isPastDue ?? false), context);
  if (!outcome) throw new Error("the timer handler did not run the health check");
  return outcome;
}

export async function writeHealthReport(report: HealthReport, outDir: string): Promise<{ json: string; html: string }> {
  await mkdir(outDir, { recursive: true });
  const stamp = report.startedAt.replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const json = path.join(outDir, `health-${stamp}.json`);
  const html = path.join(outDir, `health-${stamp}.html`);
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(html, renderHealthReportHtml(report));
  return { json, html };
}

const USAGE = `Usage: npm run healthcheck -- [--problem <name>[=VM,VM]]... [--past-due] [--read-timeout <s>] [--estate <file>] [--out <dir>] [--quiet]
Problems (repeatable; default targets in brackets):
${Object.entries(HEALTH_PROBLEMS)
  .map(([name, p]) => `  ${name.padEnd(24)} ${p.description}`)
  .join("\n")}`;

const MARK = { green: "ok   ", amber: "AMBER", red: "RED  ", unknown: "?    " } as const;

const HEALTHCHECK_OPTIONS = {
  problem: { type: "string", multiple: true, default: [] as string[] },
  "past-due": { type: "boolean", default: false },
  /** Per-read timeout; production waits 45 s, locally 10 s keeps a 'timeout-reads' demo short. */
  "read-timeout": { type: "string", default: "10" },
  ...REPORT_OPTIONS,
} as const;

async function main(values: OptionValues<typeof HEALTHCHECK_OPTIONS>): Promise<number> {
  const estate = await loadEstateFile(values.estate);
  const health = healthFaultsFromProblems(values.problem);
  const wallStart = performance.now();
  const azurite = await startAzurite();
  try {
    const perReadTimeoutMs = Number(values["read-timeout"]) * 1000;
    if (!Number.isFinite(perReadTimeoutMs) || perReadTimeoutMs <= 0) throw new Error(`--read-timeout must be a number of seconds, got '${values["read-timeout"]}'`);
    const local = await createLocalHealthCheck({ estate, tableEndpoint: azurite.tableEndpoint, faults: { health }, limits: { perReadTimeoutMs } });
    const print = values.quiet ? () => undefined : (line: string) => console.log(line);
    print(`Health check of ${estate.name}: ${estate.vms.length} VMs, ${Object.keys(estate.vaults).length} vaults, against simulated Azure${values.problem.length > 0 ? ` with ${values.problem.join(", ")}` : ""}`);
    const outcome = await fireHealthCheckTimer(local.root, { now: local.clock.now(), isPastDue: values["past-due"] });
    if (outcome.status === "skipped") {
      console.error(`Skipped: ${outcome.heldBy} holds the lease until ${outcome.until}.`);
      return 1;
    }
    const report = outcome.report;
    for (const vm of report.vms) {
      const bad = vm.checks.filter((c) => c.status !== "green");
      print(`  ${MARK[vm.status]} ${vm.vm.padEnd(8)} ${bad.length === 0 ? "all checks green" : bad.map((c) => `${c.title}: ${c.status}`).join("; ")}`);
    }
    for (const c of report.estateChecks) print(`  ${MARK[c.status]} ${c.title}${c.status === "green" ? "" : `: ${c.reason}`}`);
    const paths = await writeHealthReport(report, values.out);
    const stats = local.azure.stats();
    const saved = (await local.history.list(estate.name, 5)).some((e) => e.reportId === report.reportId);
    console.log("");
    console.log(`Overall        ${report.overall.toUpperCase()}`);
    console.log(`Summary        ${report.summary}`);
    console.log(`ARM reads      ${stats.reads} (${(stats.reads / estate.vms.length).toFixed(2)} per VM), writes ${stats.writes}`);
    console.log(`History        ${saved ? "saved" : "NOT saved"} (Table Storage on Azurite); notification ${local.events.length > 0 ? `sent: ${local.events[0]?.summary ?? ""}` : "not sent"}`);
    console.log(`Wall time      ${((performance.now() - wallStart) / 1000).toFixed(1)} s`);
    console.log(`Report         ${paths.json}`);
    console.log(`               ${paths.html}`);
    if (local.azure.misuse.length > 0) {
      console.error("Simulated Azure saw malformed requests:");
      for (const m of local.azure.misuse) console.error(`  ${m}`);
      return 1;
    }
    return 0;
  } finally {
    await azurite.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) runCommand(USAGE, HEALTHCHECK_OPTIONS, main);
