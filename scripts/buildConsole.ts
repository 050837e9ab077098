import { build } from "esbuild";
import { copyFile, mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
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
  /** Gzipped bytes of everything the page loads (index.html, console.js). */
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
  await build({
    entryPoints: [path.join(ROOT, "console/src/main.ts")],
    outfile: path.join(outDir, "console.js"),
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    legalComments: "none",
    logLevel: "warning",
    tsconfig: path.join(ROOT, "console/tsconfig.json"),
  });
  await copyFile(path.join(ROOT, "console/src/index.html"), path.join(outDir, "index.html"));
  const files = ["index.html", "console.js"];
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
