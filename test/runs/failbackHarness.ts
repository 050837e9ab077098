import type { Estate } from "../../shared/domain/estate.js";
import type { FailoverRequest, Scope } from "../../shared/domain/plan.js";
import type { RunEvent } from "../../shared/ports/notifier.js";
import type { RunRecord, StepRecord } from "../../shared/ports/runStore.js";
import type { BoundaryHook } from "../../shared/runs/engineDeps.js";
import type { LocalStack } from "../../local/localStack.js";
import type { FaultPlan, JobDurations } from "../../local/simulated-azure/simulatedAzure.js";
import { sampleEstate } from "../helpers.js";
import { capturingLogger } from "./engineHarness.js";
import { runControlStack } from "./runControlStack.js";

/** The sample estate without AD-integrated DNS records: these tests are about ASR, Azure DNS and routes. */
export function failbackEstate(): Estate {
  return { ...sampleEstate(), activeDirectoryDns: [] };
}

/** Identity and edge: both DCs and the NAT VM, with the edge tier's route and private record. */
export const SMALL_SCOPE: Scope = { kind: "tiers", tiers: ["identity", "edge"] };
export const SMALL_VMS = ["DC01", "DC02", "NAT01"] as const;
/** The edge tier alone: one VM, one route, one record, every kind of failback step. */
export const EDGE_SCOPE: Scope = { kind: "tiers", tiers: ["edge"] };

export interface RoundTripStack {
  readonly stack: LocalStack;
  readonly events: RunEvent[];
  /** Starts a run with the next id, delivers every message, answers the run's approval when it parks on one. */
  run(request: FailoverRequest, options?: { readonly startRetries?: number }): Promise<{ runId: string; run: RunRecord; steps: StepRecord[] }>;
}

const APPROVER = { id: "oid-approver", name: "approver@contoso.com" };
let counter = 0;

/** One stack (real engine, SDK clients, simulated Azure, Azurite) on frozen simulated time, for runs one after the other. */
export async function roundTripStack(
  options: { readonly faults?: FaultPlan; readonly durations?: Partial<JobDurations>; readonly boundary?: BoundaryHook } = {},
): Promise<RoundTripStack> {
  const events: RunEvent[] = [];
  const { log } = capturingLogger();
  const { stack, control } = await runControlStack({
    estate: failbackEstate(),
    log,
    notifier: { notify: (event) => Promise.resolve(void events.push(event)) },
    durations: { failbackSyncMs: 20 * 60_000, ...options.durations },
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.boundary ? { boundary: options.boundary } : {}),
  });
  return {
    stack,
    events,
    async run(request, runOptions = {}) {
      const runId = `run-fb-${process.pid}-${++counter}`;
      for (let attempt = 0; ; attempt++) {
        try {
          await stack.engine.startRun(request, "test", runId);
          break;
        } catch (error) {
          if (attempt >= (runOptions.startRetries ?? 0)) throw error;
        }
      }
      await stack.drain();
      const gate = await stack.store.getStep(runId, "await-approve");
      if (gate?.value.status === "waiting") {
        const approved = await control.approve(runId, APPROVER);
        if (!approved.ok) throw new Error(`approval refused: ${JSON.stringify(approved)}`);
        await stack.drain();
      }
      const run = (await stack.store.getRun(runId))?.value;
      if (!run) throw new Error(`run ${runId} was not recorded`);
      return { runId, run, steps: await stack.store.listSteps(runId) };
    },
  };
}
