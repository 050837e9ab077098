import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { loadEstateFile } from "../shared/config/loadEstateFile.js";
import { startSandbox } from "../local/sandbox/startSandbox.js";
import { buildConsole } from "./buildConsole.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT = path.join(ROOT, "reports/console");

/**
 * `npm run console:screenshots`: the console's main views on a sandbox (a health check, a finished
 * drill, a failed drill), signed in as an operator, written to reports/console/ for a person to look at.
 */
async function main(): Promise<void> {
  await buildConsole();
  await mkdir(OUT, { recursive: true });
  const estate = await loadEstateFile(path.join(ROOT, "estate/sample-estate.json"));
  const sandbox = await startSandbox({ estate, port: 0, alertAuth: "key", browserSignIn: true, log: () => undefined, faults: { unhealthyApp: ["WEB01"] } });
  const executablePath = execFileSync("bash", [path.join(ROOT, "scripts/ensure-browser.sh"), "--find"], { encoding: "utf8" }).trim();
  const browser = await chromium.launch({ executablePath, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
  try {
    const token = await sandbox.identity.issueToken({ name: "sandbox-operator", roles: ["operator"] });
    const call = async (method: string, route: string, body?: unknown): Promise<Record<string, unknown>> => {
      const response = await fetch(`${sandbox.url}${route}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return (await response.json()) as Record<string, unknown>;
    };
    const until = async (runId: string, done: (run: Record<string, unknown>) => boolean): Promise<void> => {
      for (let i = 0; i < 1200 && !done(await call("GET", `/api/runs/${runId}`)); i++) await new Promise((r) => setTimeout(r, 50));
    };
    const idle = async (): Promise<void> => {
      for (let i = 0; i < 1200 && (await call("GET", "/api/console/state"))["activeRunId"] !== null; i++) await new Promise((r) => setTimeout(r, 50));
    };
    await fetch(`${sandbox.url}/admin/functions/healthCheck`, {
      method: "POST",
      headers: { "x-functions-key": sandbox.masterKey, "content-type": "application/json" },
      body: "{}",
    });
    const drill = String(
      (
        await call("POST", "/api/failover", {
          mode: "test",
          scope: { tiers: ["identity", "edge", "api", "recommendation"] },
          reason: "quarterly drill",
          finish: "automatic",
        })
      )["runId"],
    );
    await until(drill, (r) => r["outcome"] !== "running");
    await idle();
    const failed = String(
      (await call("POST", "/api/failover", { mode: "test", scope: { tiers: ["web"] }, reason: "drill of the web tier", finish: "automatic" }))["runId"],
    );
    await until(failed, (r) => r["outcome"] !== "running");

    const page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage();
    await page.goto(sandbox.signInUrl(["operator"], "/api/console#/estate"));
    // First view: from the start of the navigation (sign-in redirect included) to the estate view drawn.
    await page.waitForSelector("#view-estate");
    const firstViewMs = await page.evaluate(() => Math.round(performance.now()));
    const shots: [string, string, string][] = [
      ["estate", "#/estate", "#view-estate"],
      ["incident", "#/incident", "#view-incident"],
      ["runs", "#/runs", "#view-runs"],
      ["run", `#/runs/${drill}`, "#view-run"],
      ["failed-run", `#/runs/${failed}`, "#view-run"],
      ["history", "#/history", "#view-history"],
      ["audit", "#/audit", "#audit-results table"],
      ["start", "#/start", "#view-start"],
    ];
    for (const [name, hash, ready] of shots) {
      await page.evaluate((h) => (window.location.hash = h), hash);
      await page.waitForSelector(ready);
      await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: name !== "estate" && name !== "audit" });
      // The first screen of the run page, as the README shows it.
      if (name === "run") await page.screenshot({ path: path.join(OUT, "run-top.png") });
    }
    await page.locator('fluent-checkbox[data-tier="web"]').click();
    await page.locator("#start-reason input").fill("drill of the web tier");
    await page.locator("#preview-button").click();
    await page.waitForSelector("#preview table");
    await page.screenshot({ path: path.join(OUT, "start-preview.png"), fullPage: true });
    process.stdout.write(
      `screenshots of ${shots.length + 1} views written to ${path.relative(ROOT, OUT)}/; first view drawn ${firstViewMs} ms after navigation (target 1000)\n`,
    );
  } finally {
    await browser.close();
    await sandbox.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`console:screenshots: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
