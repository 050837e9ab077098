import { loadEstateFile } from "../../shared/config/loadEstateFile.js";
import type { Estate } from "../../shared/domain/estate.js";
import { silentLogger } from "../../shared/ports/logger.js";
import { startAzurite } from "../azurite.js";
import { createLocalHealthCheck } from "../healthcheck.js";
import { SimulatedClock } from "../simulatedClock.js";
import type { Benchmark } from "./benchmark.js";
import { syntheticEstate } from "./syntheticEstate.js";

/** The budget: ARM reads per VM, plus reads that do not grow with the VMs. */
const READS_PER_VM_TARGET = 3;
const FIXED_READS_TARGET = 10;

/**
 * ARM (and Monitor) reads of one nightly health check, and its wall time, for the sample estate and
 * a synthetic 1,000-VM estate against simulated Azure: target ≤ 3 reads per VM + ≤ 10 fixed, no writes.
 */
export const healthcheckScale: Benchmark = {
  name: "healthcheck-scale",
  async run(emit) {
    const sample = await loadEstateFile("estate/sample-estate.json");
    const azurite = await startAzurite();
    try {
      for (const estate of [sample, syntheticEstate(sample, 1000)]) emit(await measure(estate, azurite.tableEndpoint));
    } finally {
      await azurite.stop();
    }
  },
};

async function measure(estate: Estate, tableEndpoint: string): Promise<Record<string, unknown>> {
  const local = await createLocalHealthCheck({ estate, tableEndpoint, clock: new SimulatedClock(new Date(), { realTime: true }) });
  const wallStart = performance.now();
  const outcome = await local.root.run({ trigger: "bench", isPastDue: false, holder: "bench" }, silentLogger).finally(() => local.stop());
  const wallMs = performance.now() - wallStart;
  if (outcome.status !== "completed") throw new Error("the health check was skipped");
  const { reads, writes, byOperation } = local.azure.stats();
  const vms = estate.vms.length;
  const perVm = byOperation["RecoveryPoints_ListByReplicationProtectedItems"] ?? 0;
  const budget = READS_PER_VM_TARGET * vms + FIXED_READS_TARGET;
  return {
    vms,
    vaults: Object.keys(estate.vaults).length,
    overall: outcome.report.overall,
    checks: Object.values(outcome.report.counts).reduce((a, b) => a + b, 0),
    armReads: reads,
    armWrites: writes,
    readsPerVm: Number((reads / vms).toFixed(3)),
    /** Reads that scale with the VMs (one recovery point list each) and the rest (per vault, DNS record, circuit region, DC). */
    perVmReads: perVm,
    otherReads: reads - perVm,
    readBudget: budget,
    // The one POST allowed is the read-only Run Command on the target DC (its DNS server's names and forwarders).
    withinReadBudget: reads <= budget && writes === (byOperation["VirtualMachines_RunCommand"] ?? 0),
    readsByOperation: byOperation,
    wallSeconds: Number((wallMs / 1000).toFixed(2)),
    misuse: local.azure.misuse.length,
  };
}
