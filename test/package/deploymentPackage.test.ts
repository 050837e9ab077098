import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPackage } from "../../local/packageApp.js";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
/**
 * Stands in for "@azure/functions-core", the module the Functions Node.js worker hands to
 * @azure/functions at run time (its tryGetCoreApiLazy): records each registerFunction call with its
 * trigger binding and prints them as JSON when the process exits.
 */
const FUNCTIONS_CORE_RECORDER = `
const Module = require("node:module");
const registered = [];
const core = {
  registerFunction(metadata) {
    const trigger = Object.values(metadata.bindings).find((b) => /Trigger$/.test(b.type));
    registered.push({ name: metadata.name, trigger: trigger ? trigger.type : "none" });
    return { dispose() {} };
  },
  registerHook() { return { dispose() {} }; },
  setProgrammingModel() {},
  log() {},
};
const load = Module._load;
Module._load = function (request, ...rest) { return request === "@azure/functions-core" ? core : load.call(this, request, ...rest); };
process.on("exit", () => process.stdout.write(JSON.stringify(registered)));
`;

/** Every function the Function App hosts, by trigger: a function that stops loading fails here. */
const FUNCTIONS = {
  httpTrigger: [
    "alerts",
    "approveIncident",
    "approveRun",
    "cancelRun",
    "cleanupRun",
    "commitRun",
    "console",
    "consoleAssets",
    "consoleHistory",
    "consoleRun",
    "consoleState",
    "extendRunCleanup",
    "failover",
    "getRoundTrip",
    "getRoundTripReportPage",
    "getRun",
    "getRunReportPage",
    "healthReportPage",
    "killSwitch",
    "listAudit",
    "listRuns",
    "resumeRun",
  ],
  serviceBusTrigger: ["incidentCheck", "notificationWorker", "stepDeadLetters", "stepWorker"],
  timerTrigger: ["healthCheck", "scheduledDrill"],
};

async function filesUnder(dir: string, base = dir): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name), base) : Promise.resolve([path.relative(base, path.join(dir, e.name))]))),
  );
  return nested.flat().sort();
}

/** The package a bare import specifier names ("@azure/identity/x" -> "@azure/identity"), or undefined for a relative one. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("/")) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

describe("the deployment package", () => {
  let out: string;
  let files: string[];
  const manifest = async (): Promise<{ dependencies: Record<string, string>; devDependencies: Record<string, string> }> =>
    JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

  beforeAll(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), "dr-package-"));
    await buildPackage({ outDir: out, installDependencies: false });
    files = await filesUnder(out);
  }, 120_000);
  afterAll(async () => {
    if (!out) return;
    await rm(out, { recursive: true, force: true });
    await rm(path.join(out, "..", `${path.basename(out)}-functions-core.cjs`), { force: true });
  });

  it("holds only what runs in Azure: compiled functions and shared code, host.json, the estate, the manifest", () => {
    const tops = new Set(
      files.map((f) =>
        f
          .split(path.sep)
          .slice(0, f.startsWith("dist") ? 2 : 1)
          .join("/"),
      ),
    );
    expect([...tops].sort()).toEqual(["dist/console", "dist/functions", "dist/shared", "estate", "host.json", "package-lock.json", "package.json"]);
    // The console, built and bundled: its page, its script and the script's chunks, where the console route reads them.
    const consoleFiles = files.filter((f) => f.startsWith(path.join("dist", "console"))).map((f) => path.relative(path.join("dist", "console", "assets"), f));
    expect(consoleFiles.filter((f) => !/^chunk-[A-Z0-9]{8}\.js$/.test(f))).toEqual(["console.js", "index.html"]);
    expect(consoleFiles.length).toBeGreaterThan(2);
    expect(files.filter((f) => /(^|\/)(local|test)\//.test(f) || (f.endsWith(".ts") && !f.endsWith(".d.ts")))).toEqual([]);
    expect(files).toContain(path.join("estate", "sample-estate.json"));
  });

  it("imports no dev dependency: every package the built code names is a runtime dependency", async () => {
    const { dependencies, devDependencies } = await manifest();
    const builtins = new Set(builtinModules);
    const named = new Set<string>();
    // The console's script is a self-contained browser bundle: it imports nothing at run time.
    for (const file of files.filter((f) => f.endsWith(".js") && !f.startsWith(path.join("dist", "console")))) {
      const source = await readFile(path.join(out, file), "utf8");
      for (const match of source.matchAll(/(?:from\s+|import\s*\(\s*|^import\s+)["']([^"']+)["']/gm)) {
        const name = packageOf(match[1] ?? "");
        if (name && !name.startsWith("node:") && !builtins.has(name)) named.add(name);
      }
    }
    expect(named.size).toBeGreaterThan(5);
    expect([...named].filter((n) => !(n in dependencies)).sort()).toEqual([]);
    expect([...named].filter((n) => n in devDependencies)).toEqual([]);
    const written = JSON.parse(await readFile(path.join(out, "package.json"), "utf8")) as { scripts?: unknown; main: string };
    expect(written.scripts).toBeUndefined();
    expect(written.main).toBe("dist/functions/*.js");
  });

  it("registers every function when the worker loads dist/functions/*.js", async () => {
    // The runtime dependencies are the repository's (the package's own are installed by `npm run package`).
    await symlink(path.join(ROOT, "node_modules"), path.join(out, "node_modules"), "dir");
    const recorder = path.join(out, "..", `${path.basename(out)}-functions-core.cjs`);
    await writeFile(recorder, FUNCTIONS_CORE_RECORDER);
    const load =
      'const fs=require("fs");(async()=>{for(const f of fs.readdirSync("dist/functions").filter((f)=>f.endsWith(".js")))await import("./dist/functions/"+f)})().catch((e)=>{console.error(e);process.exitCode=1})';
    const { stdout } = await run(process.execPath, ["--require", recorder, "-e", load], { cwd: out, env: { PATH: process.env["PATH"] ?? "" } });
    const registered = JSON.parse(stdout) as { name: string; trigger: string }[];
    const byTrigger: Record<string, string[]> = {};
    for (const { name, trigger } of registered) (byTrigger[trigger] ??= []).push(name);
    for (const names of Object.values(byTrigger)) names.sort();
    expect(byTrigger).toEqual(FUNCTIONS);
  }, 60_000);
});
