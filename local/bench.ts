import { parseArgs } from "node:util";
import type { Benchmark } from "./bench/benchmark.js";
import { alertStorm } from "./bench/alertStorm.js";
import { healthcheckScale } from "./bench/healthcheckScale.js";
import { orchestrationOverhead } from "./bench/orchestrationOverhead.js";
import { queueRoundtrip } from "./bench/queueRoundtrip.js";

/** Every benchmark `npm run bench` runs, in order. `--only <name>` runs one. */
const BENCHMARKS: readonly Benchmark[] = [orchestrationOverhead, alertStorm, queueRoundtrip, healthcheckScale];

const USAGE = `Usage: npm run bench [-- --only <${BENCHMARKS.map((b) => b.name).join("|")}>]`;

/** The benchmarks the command line asks for; a bad option or name is a usage error (exit 2). */
function selectBenchmarks(): readonly Benchmark[] {
  try {
    const wanted = parseArgs({ options: { only: { type: "string" } } }).values.only;
    const selected = wanted === undefined ? BENCHMARKS : BENCHMARKS.filter((b) => b.name === wanted);
    if (selected.length === 0) throw new Error(`unknown benchmark '${wanted ?? ""}'`);
    return selected;
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  for (const benchmark of selectBenchmarks()) {
    await benchmark.run((figures) => console.log(JSON.stringify({ bench: benchmark.name, ...figures })));
  }
}

// A benchmark that crashes shows its stack: that is where to look.
main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
