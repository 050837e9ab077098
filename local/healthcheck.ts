import type { Timer } from "@azure/functions";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { AppRoot } from "../shared/root/appRoot.js";
import { useAppRoot } from "../shared/root/appRoot.js";
import { loadEstateFile } from "../shared/config/loadEstateFile.js";
import type { Estate } from "../shared/domain/estate.js";
import type { HealthReport } from "../shared/domain/health/healthReport.js";
import type { HealthCheckRoot } from "../shared/health/healthCheckRoot.js";
import type { HealthReadLimits } from "../shared/health/readHealthSnapshot.js";
import { renderHealthReportHtml } from "../shared/reports/renderHealthReportHtml.js";
import type { HealthCheckOutcome } from "../shared/health/runHealthCheck.js";
import type { Clock } from "../shared/ports/clock.js";
import type { HealthHistoryPort } from "../shared/ports/healthHistory.js";
import { silentLogger, type Logger } from "../shared/ports/logger.js";
import type { NotifierPort, RunEvent } from "../shared/ports/notifier.js";
import { startAzurite } from "./azurite.js";
import { REPORT_OPTIONS, runCommand, type OptionValues } from "./cliOptions.js";
import { createLocalStack } from "./localStack.js";
import { HEALTH_PROBLEMS, healthFaultsFromProblems } from "./simulated-azure/healthFaults.js";
import type { FaultPlan, SimulatedAzure } from "./simulated-azure/simulatedAzure.js";
import type { SimulatedClock } from "./simulatedClock.js";

export interface LocalHealthCheckOptions {
  readonly estate: Estate;
  readonly tableEndpoint: string;
  readonly faults?: FaultPlan;
  readonly clock?: SimulatedClock;
  readonly limits?: Partial<HealthReadLimits>;
  /** Where the check's events go instead of `events` (e.g. a notifier that fails). */
  readonly notifier?: NotifierPort;
  /**
   * Judge replication, metrics and DNS only: no run history (guest agents proven by drills) and no
   * notification channels, which a stack with no drill behind it and no channel set would report amber.
   */
  readonly replicationOnly?: boolean;
}

export interface LocalHealthCheck {
  /** The product's root over the local stack: the timer function reads its health check. */
  readonly app: AppRoot;
  readonly root: HealthCheckRoot;
  readonly azure: SimulatedAzure;
  readonly history: HealthHistoryPort;
  readonly clock: Clock;
  /** Events the health check sent to its notifier. */
  readonly events: readonly RunEvent[];
  stop(): Promise<void>;
}

/**
 * The health check as the Function App runs it (readers, rules, history, notification) over a local
 * stack: simulated Azure and Table Storage on Azurite. Its events are captured instead of sent.
 */
export async function createLocalHealthCheck(options: LocalHealthCheckOptions): Promise<LocalHealthCheck> {
  const events: RunEvent[] = [];
  const stack = await createLocalStack({
    estate: options.estate,
    tableEndpoint: options.tableEndpoint,
    log: silentLogger,
    notifier: options.notifier ?? { notify: (event) => Promise.resolve(void events.push(event)) },
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.limits ? { healthLimits: options.limits } : {}),
    ...(options.replicationOnly ? { healthWithout: ["runHistory", "notificationChannels"] as const } : {}),
  });
  const root = stack.root.healthCheck;
  return { app: stack.root, root, azure: stack.azure, history: root.history, clock: stack.clock, events, stop: () => stack.stop() };
}

/** A Timer as the Functions host passes it. */
export function timerInfo(now: Date, isPastDue: boolean): Timer {
  return { isPastDue, schedule: { adjustForDST: false }, scheduleStatus: { last: now.toISOString(), next: now.toISOString(), lastUpdated: now.toISOString() } };
}

/** Fires the timer function's own handler (as the host would) with `app` installed, and returns what it ran. */
export async function fireHealthCheckTimer(
  app: AppRoot,
  options: { now: Date; isPastDue?: boolean; invocationId?: string; log?: Logger },
): Promise<HealthCheckOutcome> {
  // Loaded here, not at the top: importing the Functions library outside the host prints its test-mode warnings.
  const [lib, { handleHealthCheckTimer, HEALTH_CHECK_FUNCTION }] = await Promise.all([
    import("@azure/functions"),
    import("../shared/host/triggers/healthCheck.js"),
  ]);
  // CommonJS under ESM: the classes hang off the default export with Node's loader, off the namespace with others.
  const fromDefault: typeof lib.default | undefined = lib.default;
  const functions: typeof lib.default = fromDefault ?? lib;
  let outcome: HealthCheckOutcome | undefined;
  const root = app.healthCheck;
  useAppRoot({ ...app, healthCheck: { ...root, run: async (request, log) => (outcome = await root.run(request, log)) } });
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
  let local: LocalHealthCheck | undefined;
  try {
    const perReadTimeoutMs = Number(values["read-timeout"]) * 1000;
    if (!Number.isFinite(perReadTimeoutMs) || perReadTimeoutMs <= 0)
      throw new Error(`--read-timeout must be a number of seconds, got '${values["read-timeout"]}'`);
    local = await createLocalHealthCheck({ estate, tableEndpoint: azurite.tableEndpoint, faults: { health }, limits: { perReadTimeoutMs } });
    const print = values.quiet ? () => undefined : (line: string) => console.log(line);
    print(
      `Health check of ${estate.name}: ${estate.vms.length} VMs, ${Object.keys(estate.vaults).length} vaults, against simulated Azure${values.problem.length > 0 ? ` with ${values.problem.join(", ")}` : ""}`,
    );
    const outcome = await fireHealthCheckTimer(local.app, { now: local.clock.now(), isPastDue: values["past-due"] });
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
    console.log(
      `History        ${saved ? "saved" : "NOT saved"} (Table Storage on Azurite); notification ${local.events.length > 0 ? `sent: ${local.events[0]?.summary ?? ""}` : "not sent"}`,
    );
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
    await local?.stop();
    await azurite.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) runCommand(USAGE, HEALTHCHECK_OPTIONS, main);
