import { execFile } from "node:child_process";
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { buildConsole } from "../scripts/buildConsole.js";

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * What the Function App runs, and nothing else: the compiled functions and shared code
 * (tsconfig.build.json), the console's built page and script, host.json, the estate files, package.json and its lock file, and (for a
 * deployable folder) the runtime dependencies only. `.funcignore` says the same to `func azure functionapp publish` and azd.
 */
export const PACKAGE_FILES = ["host.json", "package-lock.json", "estate"] as const;

export interface PackageOptions {
  /** Folder to write; emptied first. */
  readonly outDir: string;
  /** Run `npm ci --omit=dev` in it (off in tests: the registry is not needed to check the package). */
  readonly installDependencies: boolean;
}

export async function buildPackage(options: PackageOptions): Promise<void> {
  const out = path.resolve(options.outDir);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await run(process.execPath, [
    path.join(ROOT, "node_modules/typescript/bin/tsc"),
    "-p",
    path.join(ROOT, "tsconfig.build.json"),
    "--outDir",
    path.join(out, "dist"),
  ]);
  // The console's page and bundle, built into the folder the console route reads (shared/host/http/staticAssets.ts).
  await buildConsole(path.join(out, "dist/console/assets"));
  for (const file of PACKAGE_FILES) await cp(path.join(ROOT, file), path.join(out, file), { recursive: true });
  const manifest = JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8")) as Record<string, unknown>;
  // devDependencies stay listed so `npm ci` finds the lock file in sync; `--omit=dev` leaves them out
  // of node_modules. No scripts: the package is built, a remote build has nothing to run.
  const { name, version, description, type, main, engines, dependencies, devDependencies } = manifest;
  await writeFile(
    path.join(out, "package.json"),
    `${JSON.stringify({ name, version, description, private: true, type, main, engines, dependencies, devDependencies }, null, 2)}\n`,
  );
  if (options.installDependencies) await run("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: out });
}

if (process.argv[1]?.endsWith("packageApp.ts")) {
  const outDir = process.argv[2] ?? path.join(ROOT, ".package");
  buildPackage({ outDir, installDependencies: true }).then(
    () => process.stdout.write(`package written to ${outDir} (zip its contents for a zip deploy)\n`),
    (error: unknown) => {
      process.stderr.write(`package: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
