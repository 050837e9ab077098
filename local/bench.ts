import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import type { Benchmark } from "./bench/benchmark.js";
import { alertStorm } from "./bench/alertStorm.js";
import { healthcheckScale } from "./bench/healthcheckScale.js";
import { orchestrationOverhead } from "./bench/orchestrationOverhead.js";
import { queueRoundtrip } from "./bench/queueRoundtrip.js";

/** Every benchmark `npm run bench` runs, in order, each in its own process. `--only <name>` runs one here. */
const BENCHMARKS: readonly Benchmark[] = [orchestrationOverhead, alertStorm, queueRoundtrip, healthcheckScale];

const USAGE = `Usage: npm run bench [-- --only <${BENCHMARKS.map((b) => b.name).join("|")}>]`;

/** The benchmark the command line names (`--only`), or undefined for all; a bad option or name is a usage error (exit 2). */
function selectBenchmark(): Benchmark | undefined {
  try {
    const wanted = parseArgs({ options: { only: { type: "string" } } }).values.only;
    if (wanted === undefined) return undefined;
    const selected = BENCHMARKS.find((b) => b.name === wanted);
    if (!selected) throw new Error(`unknown benchmark '${wanted}'`);
    return selected;
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
}

/** Runs one benchmark in this process. */
async function runHere(benchmark: Benchmark): Promise<void> {
  await benchmark.run((figures) => console.log(JSON.stringify({ bench: benchmark.name, ...figures })));
}

/**
 * Runs each benchmark in a process of its own (this script with `--only`, under the same loader):
 * none inherits another's heap, compiled code or leftover timers, so a figure such as the alert
 * storm's first acknowledgements means a fresh host, whichever benchmarks ran before it.
 */
function runApart(benchmark: Benchmark): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1] ?? "", "--only", benchmark.name], { stdio: "inherit" });
    child.once("error", reject);
    child.once("exit", (code, signal) => (code === 0 ? resolve() : reject(new Error(`benchmark ${benchmark.name} exited with ${signal ?? `code ${code}`}`))));
  });
}

async function main(): Promise<void> {
  const only = selectBenchmark();
  if (only) return runHere(only);
  for (const benchmark of BENCHMARKS) await runApart(benchmark);
}

// A benchmark that crashes shows its stack: that is where to look.
main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
