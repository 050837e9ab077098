import { loadEstateFile } from "../../shared/config/loadEstateFile.js";
import type { Estate } from "../../shared/domain/estate.js";
import { planFailover } from "../../shared/domain/planFailover.js";
import { silentLogger } from "../../shared/ports/logger.js";
import { startAzurite } from "../azurite.js";
import { createLocalStack } from "../localStack.js";
import { findScenario } from "../scenarios.js";
import { DEFAULT_JOB_DURATIONS } from "../simulated-azure/simulatedAzure.js";
import type { Benchmark } from "./benchmark.js";
import { criticalPathMs } from "./criticalPath.js";
import { syntheticEstate } from "./syntheticEstate.js";

/**
 * The drill scenario's run time in simulated time against the critical path implied by the
 * simulated job durations, and the ARM calls it made; then the same for a 1,000-VM estate.
 */
export const orchestrationOverhead: Benchmark = {
  name: "orchestration-overhead",
  async run(emit) {
    const sample = await loadEstateFile("estate/sample-estate.json");
    const azurite = await startAzurite();
    try {
      emit(await measure(sample, azurite.tableEndpoint, true));
      // At 1,000 VMs the machine's own work dwarfs the simulated jobs, so simulated time only moves
      // between deliveries: the ratio then shows polling granularity, and wall time the cost per step.
      emit(await measure(syntheticEstate(sample, 1000), azurite.tableEndpoint, false));
    } finally {
      await azurite.stop();
    }
  },
};

async function measure(estate: Estate, tableEndpoint: string, realTime: boolean): Promise<Record<string, unknown>> {
  const scenario = findScenario("expressroute-down");
  const stack = await createLocalStack({ estate, tableEndpoint, realTime, log: silentLogger, notifier: { notify: () => Promise.resolve() } });
  const wallStart = performance.now();
  const { runId } = await stack.engine.startRun(scenario.request, scenario.trigger);
  await stack.drain();
  const wallMs = performance.now() - wallStart;
  await stack.stop();
  const run = (await stack.store.getRun(runId))?.value;
  if (!run?.finishedAt) throw new Error(`run ${runId} did not finish`);
  const steps = planFailover(estate, scenario.request).steps.length;
  const runMs = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
  const criticalMs = criticalPathMs(planFailover(estate, scenario.request), DEFAULT_JOB_DURATIONS);
  const { reads, writes } = stack.azure.stats();
  return {
    scenario: scenario.name,
    vms: estate.vms.length,
    clock: realTime ? "real time, idle waits skipped" : "frozen between deliveries",
    steps,
    outcome: run.status,
    runSimulatedSeconds: Math.round(runMs / 1000),
    criticalPathSeconds: Math.round(criticalMs / 1000),
    overheadRatio: Number(((runMs - criticalMs) / criticalMs).toFixed(4)),
    overheadTarget: 0.05,
    armReads: reads,
    armWrites: writes,
    armWritesPerVm: Number((writes / estate.vms.length).toFixed(2)),
    armWritesPerVmTarget: 3,
    wallSeconds: Number((wallMs / 1000).toFixed(1)),
    wallMsPerStep: Number((wallMs / steps).toFixed(1)),
    queueMessages: stack.queue.stats.delivered,
  };
}
