import { afterAll, inject } from "vitest";
import type { Estate } from "../../shared/domain/estate.js";
import type { FailoverRequest } from "../../shared/domain/plan.js";
import type { BoundaryHook } from "../../shared/runs/engineDeps.js";
import type { Logger } from "../../shared/ports/logger.js";
import type { NotifierPort, RunEvent } from "../../shared/ports/notifier.js";
import type { RunRecord, StepRecord } from "../../shared/ports/runStore.js";
import { createLocalStack, type LocalStack } from "../../local/localStack.js";
import type { FaultPlan, JobDurations } from "../../local/simulated-azure/simulatedAzure.js";
import { sampleEstate } from "../helpers.js";

export interface LogLine {
  readonly level: "info" | "warn" | "error";
  readonly message: string;
  readonly properties: Record<string, unknown>;
}

export interface HarnessRun {
  readonly stack: LocalStack;
  readonly runId: string;
  readonly run: RunRecord;
  readonly steps: readonly StepRecord[];
  readonly events: readonly RunEvent[];
  readonly logs: readonly LogLine[];
  step(id: string): StepRecord;
}

export interface HarnessOptions {
  readonly estate?: Estate;
  readonly request?: FailoverRequest;
  /** Runs taken to their end on the same stack before `request` (e.g. the failover a reprotect follows). */
  readonly before?: readonly FailoverRequest[];
  readonly faults?: FaultPlan;
  readonly durations?: Partial<JobDurations>;
  readonly boundary?: BoundaryHook;
  /** Wraps the queue's send, e.g. to deliver every message twice. */
  readonly onStack?: (stack: LocalStack) => void;
  /** How many times a start that crashed is repeated with the same run id (as a retried HTTP call would). */
  readonly startRetries?: number;
  /** Also told every run event, after the harness has captured it (e.g. the real queue notifier). */
  readonly notifier?: NotifierPort;
}

/** A logger that keeps every line as data, for tests to assert on. */
export function capturingLogger(): { readonly log: Logger; readonly logs: LogLine[] } {
  const logs: LogLine[] = [];
  const capture =
    (level: LogLine["level"]) =>
    (message: string, properties: Record<string, unknown> = {}) =>
      void logs.push({ level, message, properties });
  return { log: { info: capture("info"), warn: capture("warn"), error: capture("error") }, logs };
}

let runCounter = 0;
const stacks: LocalStack[] = [];
// Every stack opened by a test file is closed after it (its Service Bus connection keeps the process alive).
afterAll(() => Promise.all(stacks.splice(0).map((s) => s.stop())));

/** Runs a failover through the real engine, SDK clients, simulated Azure and Azurite, on frozen simulated time. */
export async function runFailover(options: HarnessOptions = {}): Promise<HarnessRun> {
  const events: RunEvent[] = [];
  const { log, logs } = capturingLogger();
  const stack = await createLocalStack({
    estate: options.estate ?? sampleEstate(),
    tableEndpoint: inject("tableEndpoint"),
    realTime: false,
    start: new Date("2026-11-25T02:00:00Z"),
    log,
    notifier: {
      notify: async (event) => {
        events.push(event);
        await options.notifier?.notify(event);
      },
    },
    // Short SDK-independent retry delays keep failing scenarios quick in simulated time.
    timing: { retryBaseSeconds: 5, retryCapSeconds: 30 },
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.durations ? { durations: options.durations } : {}),
    ...(options.boundary ? { boundary: options.boundary } : {}),
  });
  stacks.push(stack);
  options.onStack?.(stack);
  for (const earlier of options.before ?? []) {
    await startWithRetries(stack, earlier, `run-test-${process.pid}-${++runCounter}`, options.startRetries ?? 0);
    await stack.drain();
  }
  const runId = `run-test-${process.pid}-${++runCounter}`;
  const request = options.request ?? { mode: "unplanned", scope: { kind: "all" } };
  await startWithRetries(stack, request, runId, options.startRetries ?? 0);
  await stack.drain();
  const run = (await stack.store.getRun(runId))?.value;
  if (!run) throw new Error(`run ${runId} was not recorded`);
  const steps = await stack.store.listSteps(runId);
  return {
    stack,
    runId,
    run,
    steps,
    events,
    logs,
    step: (id) => {
      const found = steps.find((s) => s.step.id === id);
      if (!found) throw new Error(`no step ${id}`);
      return found;
    },
  };
}

/** Starts a run, repeating a start that crashed with the same run id, as a retried HTTP call would. */
async function startWithRetries(stack: LocalStack, request: FailoverRequest, runId: string, retries: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await stack.engine.startRun(request, "test", runId);
      return;
    } catch (error) {
      if (attempt >= retries) throw error;
    }
  }
}

/** Exactly one accepted failover call per VM of the estate. */
export function expectOneFailoverPerVm(result: HarnessRun, vms: readonly string[]): Record<string, number> {
  const calls = result.stack.azure.stats().failoverCalls;
  return Object.fromEntries(vms.map((vm) => [vm, calls[vm] ?? 0]));
}
