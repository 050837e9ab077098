import { afterAll, inject } from "vitest";
import { createLocalStack, type LocalStack, type LocalStackOptions } from "../../local/localStack.js";
import { silentLogger } from "../../shared/ports/logger.js";
import { createRunControl, type RunControl } from "../../shared/runs/runControl.js";
import { sampleEstate } from "../helpers.js";

const stacks: LocalStack[] = [];
afterAll(() => Promise.all(stacks.splice(0).map((s) => s.stop())));

/**
 * A local stack (real engine, SDK clients, simulated Azure, Azurite) on frozen simulated time from
 * 2026-11-25T02:00Z with short retries. `options` replace the defaults: the sample estate, no logs,
 * notifications dropped. Stopped after the file.
 */
export async function frozenStack(options: Partial<Omit<LocalStackOptions, "tableEndpoint">> = {}): Promise<LocalStack> {
  const stack = await createLocalStack({
    estate: sampleEstate(),
    tableEndpoint: inject("tableEndpoint"),
    realTime: false,
    start: new Date("2026-11-25T02:00:00Z"),
    log: silentLogger,
    notifier: { notify: () => Promise.resolve() },
    timing: { retryBaseSeconds: 5, retryCapSeconds: 30 },
    ...options,
  });
  stacks.push(stack);
  return stack;
}

/** A frozenStack and the run control people act through (a separate approver). */
export async function runControlStack(options: Partial<Omit<LocalStackOptions, "tableEndpoint">> = {}): Promise<{ stack: LocalStack; control: RunControl }> {
  const stack = await frozenStack(options);
  const control = createRunControl({
    estate: stack.estate,
    store: stack.store,
    queue: stack.queue,
    clock: stack.clock,
    audit: stack.audit,
    log: silentLogger,
    engine: stack.engine,
    siteRecovery: stack.root.runApi.reads.siteRecovery,
    separateApprover: true,
  });
  return { stack, control };
}
