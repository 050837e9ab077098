import { build } from "esbuild";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** Where the Function App's console route reads the files (shared/host/http/staticAssets.ts). */
export const CONSOLE_ASSETS = path.join(ROOT, "console/assets");
/** The console's budget: the whole download, gzipped. */
export const CONSOLE_BUDGET_GZIP_BYTES = 300 * 1024;

export interface ConsoleBuild {
  readonly outDir: string;
  /** Gzipped bytes of everything the page loads (index.html, console.js and its chunks). */
  readonly gzipBytes: number;
}

/**
 * Bundles the console (console/src/main.ts with Fluent UI web components) into one minified script
 * next to its page, and refuses a build over the size budget. No CDN: everything the page loads is here.
 */
export async function buildConsole(finalDir = CONSOLE_ASSETS): Promise<ConsoleBuild> {
  // Built beside the folder and moved into place, so a running sandbox never serves half a build.
  const outDir = `${finalDir}.building-${process.pid}`;
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await build({
    // console.js is what the first view needs; controls.ts (loaded after it) and the code both share become chunks beside it.
    entryPoints: { console: path.join(ROOT, "console/src/main.ts") },
    outdir: outDir,
    splitting: true,
    entryNames: "[name]",
    // Named by their content, so the asset route lets browsers keep them (shared/host/http/staticAssets.ts).
    chunkNames: "chunk-[hash]",
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
    tsconfig: path.join(ROOT, "console/tsconfig.json"),
  });
  // The chunks console.js imports are announced in the page, so the browser fetches them beside it rather than after it.
  const entry = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint !== undefined)?.[1];
  const preloads = (entry?.imports ?? [])
    .filter((i) => i.kind === "import-statement")
    .map((i) => `<link rel="modulepreload" href="/api/console/assets/${path.basename(i.path)}">`);
  const page = await readFile(path.join(ROOT, "console/src/index.html"), "utf8");
  await writeFile(path.join(outDir, "index.html"), page.replace(/<!-- chunks: .*-->/, preloads.join("\n")));
  const files = await readdir(outDir);
  const gzipBytes = (await Promise.all(files.map(async (f) => gzipSync(await readFile(path.join(outDir, f))).length))).reduce((a, b) => a + b, 0);
  if (gzipBytes > CONSOLE_BUDGET_GZIP_BYTES) {
    await rm(outDir, { recursive: true, force: true });
    throw new Error(`the console is ${gzipBytes} bytes gzipped, over its ${CONSOLE_BUDGET_GZIP_BYTES}-byte budget`);
  }
  const old = `${finalDir}.old-${process.pid}`;
  await rename(finalDir, old).catch(() => undefined);
  await rename(outDir, finalDir);
  await rm(old, { recursive: true, force: true });
  return { outDir: finalDir, gzipBytes };
}

/** Builds unless the built script is newer than every source file (the sandbox starts on it). */
export async function buildConsoleIfStale(): Promise<void> {
  const built = await stat(path.join(CONSOLE_ASSETS, "console.js")).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  const sources = await readdir(path.join(ROOT, "console/src"), { recursive: true });
  const newest = Math.max(...(await Promise.all(sources.map((f) => stat(path.join(ROOT, "console/src", f)).then((s) => s.mtimeMs)))));
  if (built < newest) await buildConsole();
}

if (process.argv[1]?.endsWith("buildConsole.ts")) {
  buildConsole(process.argv[2]).then(
    (built) =>
      process.stdout.write(`console built in ${path.relative(ROOT, built.outDir) || built.outDir}: ${(built.gzipBytes / 1024).toFixed(1)} KiB gzipped\n`),
    (error: unknown) => {
      process.stderr.write(`console:build: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
