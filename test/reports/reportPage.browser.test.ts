import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../browser.js";
import { awaiting, finished, startTestApi, type TestApi } from "../host/http/httpHelpers.js";

let api: TestApi;
let browser: Browser;

beforeAll(async () => {
  [api, browser] = await Promise.all([startTestApi(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

async function drill(scope: unknown): Promise<string> {
  const started = await api.call("POST", "/api/failover", { as: "operator", body: { mode: "test", scope, reason: "drill for the report page" } });
  const runId = String(started.json.runId);
  await api.waitForRun(runId, awaiting("cleanup"));
  await api.call("POST", `/api/runs/${runId}/cleanup`, { as: "operator" });
  await api.waitForRun(runId, finished);
  return runId;
}

describe("run report page in headless Chromium", () => {
  it("renders the timeline with every step, the RTO target line, the objectives and the earlier drills", async () => {
    const earlier = await drill({ tiers: ["web"] });
    const runId = await drill("all");
    const report = await api.waitForRun(runId, finished);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.setExtraHTTPHeaders({ authorization: `Bearer ${await api.token("reader")}` });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    // What the page itself loads (the browser's own favicon probe aside) must all succeed.
    page.on("response", (r) => {
      if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) errors.push(`${r.status()} ${r.url()}`);
    });
    const response = await page.goto(`${api.sandbox.url}/api/runs/${runId}/report`);
    expect(response?.status()).toBe(200);

    await expect(page.title()).resolves.toContain(runId);
    expect(await page.locator("h1").innerText()).toMatch(/Test failover/);
    // One bar per step, each visible, inside the chart.
    const bars = page.locator("svg.timeline g.row rect");
    expect(await bars.count()).toBe(report.steps.length);
    const ids = await page.locator("svg.timeline g.row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-step-id")));
    expect(new Set(ids)).toEqual(new Set(report.steps.map((s) => s.id)));
    for (const box of await bars.evaluateAll((rects) => rects.map((r) => (r as SVGGraphicsElement).getBoundingClientRect().toJSON() as DOMRect))) {
      expect(box.width).toBeGreaterThan(0);
      expect(box.height).toBeGreaterThan(0);
    }
    // Tiers are labelled, the RTO target line is drawn and the figures say how the run did.
    const svgText = await page.locator("svg.timeline").textContent();
    for (const tier of ["identity", "edge", "api", "web", "recommendation"]) expect(svgText).toContain(`Tier ${tier}`);
    expect(await page.locator("svg.timeline .rto-target line").count()).toBe(1);
    expect(await page.locator(".figures").innerText()).toMatch(/RTO from detection vs target[\s\S]*of 60 min[\s\S]*RTO from run start[\s\S]*Data-loss window vs RPO[\s\S]*of 30 min/);
    expect(await page.locator("section.after").innerText()).toMatch(/Where the estate is now[\s\S]*No test VM is left[\s\S]*What to do next/);
    // A full 16-VM run: the detail column keeps a readable width, and the time axis stays on screen mid-timeline.
    const detailWidths = await page.locator("table.steps td.detail").evaluateAll((cells) => cells.map((c) => c.getBoundingClientRect().width));
    expect(Math.min(...detailWidths)).toBeGreaterThanOrEqual(300);
    const chart = await page.locator("svg.timeline").boundingBox();
    await page.evaluate((y) => window.scrollTo(0, y), (chart?.y ?? 0) + (chart?.height ?? 0) / 2 - 450);
    const axis = await page.locator(".axis-sticky").evaluate((el) => el.getBoundingClientRect().toJSON() as DOMRect);
    expect(axis.bottom).toBeLessThanOrEqual(900 + 1);
    expect(axis.top).toBeGreaterThan(800);
    expect(await page.locator(`section.history tr[data-run-id="${earlier}"]`).count()).toBe(1);
    // The page is self-contained: no script, nothing fetched from elsewhere.
    expect(await page.locator("script").count()).toBe(0);
    expect(errors).toEqual([]);

    const shot = path.join(tmpdir(), `run-report-${runId}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    await page.screenshot({ path: shot.replace(/\.png$/, "-top.png") });
    await page.locator("section.history").screenshot({ path: shot.replace(/\.png$/, "-history.png") });
    expect(existsSync(shot)).toBe(true);
    await page.close();
    // Two drills of the whole estate through the sandbox: a loaded CI machine needs more than the default minute.
  }, 150_000);
});
