import { parseArgs } from "node:util";
import type { Benchmark } from "./bench/benchmark.js";
import { alertStorm } from "./bench/alertStorm.js";
import { healthcheckScale } from "./bench/healthcheckScale.js";
import { orchestrationOverhead } from "./bench/orchestrationOverhead.js";
import { queueRoundtrip } from "./bench/queueRoundtrip.js";

/** Every benchmark `npm run bench` runs, in order. `--only <name>` runs one. */
const BENCHMARKS: readonly Benchmark[] = [orchestrationOverhead, alertStorm, queueRoundtrip, healthcheckScale];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: "string" } } });
  const wanted = values.only;
  const selected = wanted ? BENCHMARKS.filter((b) => b.name === wanted) : BENCHMARKS;
  if (selected.length === 0) throw new Error(`unknown benchmark '${wanted}'; choose one of: ${BENCHMARKS.map((b) => b.name).join(", ")}`);
  for (const benchmark of selected) {
    await benchmark.run((figures) => console.log(JSON.stringify({ bench: benchmark.name, ...figures })));
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
