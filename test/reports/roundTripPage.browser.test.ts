import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRoundTripReport } from "../../shared/reports/buildRoundTripReport.js";
import { renderRoundTripReportHtml } from "../../shared/reports/renderRoundTripReportHtml.js";
import { axeViolations, launchChromium } from "../browser.js";
import { at, estate, failbackRun, failover, prep } from "./roundTripFixtures.js";

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

describe("round-trip report page in headless Chromium", () => {
  it("draws the three runs, every tier, the downtime and the name changes on one visible timeline, with no accessibility violation", async () => {
    const now = new Date(at(300));
    const report = buildRoundTripReport(estate, [failover, prep, failbackRun({ status: "succeeded" })], now);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.setContent(renderRoundTripReportHtml(report, now));

    expect(await page.title()).toBe(`${estate.name} round trip ${report.roundTripId}: complete`);
    // A row per run, the RTO, replication back and downtime rows, a row per tier, the changes' row.
    const labels = await page.locator("svg.timeline g.row > text").allTextContents();
    expect(labels).toEqual([
      "Failover to Azure",
      "Failback preparation",
      "Failback to vSphere",
      "Failover RTO",
      "Replication back",
      "Failback downtime",
      ...report.tiers.map((t) => `Tier ${t}`),
      "DNS and routes",
    ]);
    // Every bar and marker is on the chart, with a size a person can see.
    const shapes = await page.locator("svg.timeline rect.bar, svg.timeline .marker").evaluateAll((nodes) =>
      nodes.map((n) => (n as SVGGraphicsElement).getBoundingClientRect().toJSON() as DOMRect),
    );
    expect(shapes.length).toBe(3 + 3 + report.tierSpans.length + 2 * (report.dnsChanges.length + report.routeChanges.length));
    const chart = (await page.locator("svg.timeline").boundingBox()) ?? { x: 0, width: 0 };
    for (const box of shapes) {
      expect(box.width).toBeGreaterThan(1);
      expect(box.left).toBeGreaterThanOrEqual(chart.x);
      expect(box.right).toBeLessThanOrEqual(chart.x + chart.width + 1);
    }
    // The runs follow each other left to right, the idle time between them shortened to two labelled breaks.
    const runBars = await page.locator("svg.timeline g.row").nth(0).locator("rect").boundingBox();
    const backBars = await page.locator("svg.timeline g.row").nth(2).locator("rect").boundingBox();
    expect((runBars?.x ?? 0) + (runBars?.width ?? 0)).toBeLessThan(backBars?.x ?? 0);
    expect(await page.locator("svg.timeline g.break").allTextContents()).toEqual(["70 min idle", "48 min idle"]);
    expect(await page.locator(".figures").innerText()).toMatch(/Failover RTO from detection[\s\S]*of 60 min[\s\S]*Failback downtime[\s\S]*39 min/);
    expect(await page.locator("script").count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
