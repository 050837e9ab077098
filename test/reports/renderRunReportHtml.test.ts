import { describe, expect, it } from "vitest";
import { renderRunReportHtml } from "../../shared/reports/renderRunReportHtml.js";
import type { RunReport, StepReport } from "../../shared/reports/runReport.js";

const START = "2025-03-04T14:00:00.000Z";
const at = (minutes: number, seconds = 0): string => new Date(Date.parse(START) + (minutes * 60 + seconds) * 1000).toISOString();

function step(overrides: Partial<StepReport> & Pick<StepReport, "id" | "kind" | "target">): StepReport {
  return { tier: null, status: "succeeded", startedAt: null, finishedAt: null, attempts: 1, detail: null, ...overrides };
}

const steps: StepReport[] = [
  step({ id: "verify-dc", kind: "verifyTargetDc", target: "westeurope", startedAt: at(0), finishedAt: at(1, 30) }),
  step({ id: "fo-web-01", kind: "failover", target: "web-01", tier: "web", startedAt: at(2), finishedAt: at(14, 5) }),
  step({ id: "gc-web-01", kind: "guestChecks", target: "web-01", tier: "web", startedAt: at(14, 10), finishedAt: at(18), attempts: 2 }),
  step({ id: "dns-www", kind: "updateDns", target: 'www.contoso.com "A" & <alias>', tier: "web", startedAt: at(18), finishedAt: at(19) }),
  step({
    id: "fo-app-01", kind: "failover", target: "app-01", tier: "app", status: "failed", startedAt: at(2), finishedAt: at(41, 12), attempts: 3,
    detail: 'Run Command output: <script>alert("pwned")</script> & exit 1',
  }),
  step({ id: "gc-app-01", kind: "guestChecks", target: "app-01", tier: "app", status: "cancelled" }),
  step({ id: "notify", kind: "notify", target: "run", status: "pending" }),
];

const report: RunReport = {
  runId: "run-2025-03-04-1400",
  estate: "contoso-prod",
  mode: "unplanned",
  trigger: "manual: jdoe@contoso.com",
  startedAt: START,
  finishedAt: at(41, 12),
  outcome: "failed",
  failureReason: "fo-app-01 failed after 3 attempts <ASR job 42>",
  rtoSeconds: 41 * 60 + 12,
  detectedAt: START,
  rtoFromDetectionSeconds: 41 * 60 + 12,
  rtoTargetAppliesTo: "detection",
  recovered: false,
  rtoTargetSeconds: 3600,
  dataLossWindowSeconds: 5 * 60 + 12,
  rpoTargetSeconds: 15 * 60,
  dnsChanges: [{ record: "www.contoso.com", zoneType: "public", from: ["10.0.0.4"], to: ["10.20.0.4", "10.20.0.5"] }],
  routeChanges: [{ route: "rt-spoke/default", routeTable: "rt-spoke", from: "10.0.0.10", to: "10.20.0.10" }],
  // app before web: the dependency order, not the order the steps first appear in.
  tiers: ["app", "web"],
  estateAfter: {
    summary: "1 VM(s) failed over and not committed (web-01); 1 DNS record(s) point at the recovery site.",
    failedOverNotCommitted: ["web-01"],
    committed: [],
    testVmsLeft: [],
    testVmCleanup: null,
    reprotected: [],
    dnsMoved: ["www.contoso.com"],
    routesMoved: ["rt-spoke/default"],
    nextSteps: ["Fix the cause of the failed step(s) (fo-app-01), then resume the run (POST /api/runs/run-2025-03-04-1400/resume): done steps are not repeated."],
  },
  notes: ["Tier db excluded: replicated by SQL AG & <not ASR>"],
  steps,
};

/** The inline SVG of the page: the timeline. */
function svgOf(html: string): string {
  const svg = /<svg[\s\S]*?<\/svg>/.exec(html)?.[0];
  if (svg === undefined) throw new Error("no svg in page");
  return svg;
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

describe("renderRunReportHtml", () => {
  const html = renderRunReportHtml(report);

  it("is a complete, self-contained, accessible HTML5 page", () => {
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain('<html lang="en">');
    expect(html).toMatch(/<title>contoso-prod unplanned failover run-2025-03-04-1400: failed<\/title>/);
    expect(html).toContain("<th scope=\"col\">Attempts</th>");
    expect(html).not.toMatch(/<script|<link|src=|href=|url\(|@import/i);
    expect(html).not.toMatch(/NaN|undefined|Infinity/);
  });

  it("draws every step exactly once as a timeline row, grouped by tier", () => {
    const svg = svgOf(html);
    for (const s of steps) expect(count(svg, `data-step-id="${s.id}"`)).toBe(1);
    expect(count(svg, "data-step-id=")).toBe(steps.length);
    expect(count(svg, ">Tier web<")).toBe(1);
    expect(count(svg, ">Tier app<")).toBe(1);
    expect(count(svg, ">Estate-wide<")).toBe(1);
    // Estate-wide first (both its steps in one group), then the tiers in dependency order.
    const sequence = [...svg.matchAll(/class="tier">([^<]+)<|data-step-id="([^"]+)"/g)].map((m) => m[1] ?? m[2]);
    expect(sequence).toEqual(["Estate-wide", "verify-dc", "notify", "Tier app", "fo-app-01", "gc-app-01", "Tier web", "fo-web-01", "gc-web-01", "dns-www"]);
    // The steps table follows the same order.
    const rows = [...html.matchAll(/<tr><td><code>([^<]+)<\/code>/g)].map((m) => m[1]);
    expect(rows).toEqual(["verify-dc", "notify", "fo-app-01", "gc-app-01", "fo-web-01", "gc-web-01", "dns-www"]);
  });

  it("gives each started step a bar with its own svg title, and lists unstarted ones without a bar", () => {
    const svg = svgOf(html);
    const started = steps.filter((s) => s.startedAt !== null).length;
    expect(count(svg, "<rect")).toBe(started);
    expect(svg.match(/<rect[^>]*><title>[^<]+<\/title><\/rect>/g)).toHaveLength(started);
    const unstarted = /<g class="row" data-step-id="gc-app-01">([\s\S]*?)<\/g>/.exec(svg)?.[1] ?? "";
    expect(unstarted).toContain("not started");
    expect(unstarted).not.toContain("<rect");
  });

  it("shows the outcome badge, failure reason and key figures against targets", () => {
    expect(html).toMatch(/<span class="badge outcome" style="background:#cf222e">failed<\/span>/);
    expect(html).toContain("Failure reason:</strong> fo-app-01 failed after 3 attempts &lt;ASR job 42&gt;");
    expect(html).toContain("41 min 12 s of 60 min");
    // A failed run did not recover: its RTO is never green, however short.
    expect(html).toMatch(/style="color:#cf222e">41 min 12 s of 60 min/);
    expect(html).not.toMatch(/style="color:#1a7f37">41 min/);
    expect(html).toContain("not recovered: the run failed");
    expect(html).toContain("5 min 12 s of 15 min");
    expect(html).toContain("4 succeeded · 1 failed");
    expect(html).toContain("4 Mar 2025, 14:00:00 UTC");
    expect(html).toContain(START);
  });

  it("turns the RTO red when over target and says when data loss was not measured", () => {
    const late = renderRunReportHtml({ ...report, rtoSeconds: 75 * 60, rtoFromDetectionSeconds: 75 * 60, recovered: true, dataLossWindowSeconds: null, outcome: "succeeded" });
    expect(late).toMatch(/style="color:#cf222e">75 min of 60 min/);
    expect(late).toContain("not measured");
    expect(late).toMatch(/class="badge outcome" style="background:#1a7f37">succeeded</);
  });

  it("escapes all text from the report", () => {
    expect(html).not.toContain("<script");
    expect(html).toContain("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; exit 1");
    expect(html).toContain("www.contoso.com &quot;A&quot; &amp; &lt;alias&gt;");
    expect(html).toContain("Tier db excluded: replicated by SQL AG &amp; &lt;not ASR&gt;");
    expect(html).not.toContain("<alias>");
  });

  it("always draws the dashed RTO target line, extending the axis to reach it", () => {
    const early = renderRunReportHtml({ ...report, rtoTargetSeconds: 4 * 3600 });
    for (const page of [html, early]) {
      const svg = svgOf(page);
      const line = /<g class="rto-target"><line x1="([\d.]+)"[^>]*stroke-dasharray/.exec(svg);
      expect(line).not.toBeNull();
      const width = Number(/viewBox="0 0 ([\d.]+)/.exec(svg)?.[1]);
      expect(Number(line?.[1])).toBeLessThanOrEqual(width);
    }
    // Last tick label (minutes) reaches the 240-minute target.
    const ticks = [...svgOf(early).matchAll(/text-anchor="middle">(\d+)<\/text>/g)].map((m) => Number(m[1]));
    expect(Math.max(...ticks)).toBeGreaterThanOrEqual(240);
    expect(svgOf(early)).toContain("RTO target 4 h");
  });

  it("renders a run with no finished steps without NaN", () => {
    const fresh: RunReport = {
      ...report,
      outcome: "running",
      finishedAt: null,
      failureReason: null,
      rtoSeconds: 0,
      rtoFromDetectionSeconds: 0,
      dataLossWindowSeconds: null,
      dnsChanges: [],
      notes: [],
      steps: [
        step({ id: "verify-dc", kind: "verifyTargetDc", target: "westeurope", status: "running", startedAt: START }),
        step({ id: "fo-web-01", kind: "failover", target: "web-01", tier: "web", status: "pending" }),
      ],
    };
    const page = renderRunReportHtml(fresh);
    expect(page).not.toMatch(/NaN|undefined|Infinity/);
    expect(page).toMatch(/class="badge outcome" style="background:#9a6700">running</);
    expect(page).toContain("0 s of 60 min");
    expect(page).toContain("0 succeeded · 0 failed");
    expect(count(svgOf(page), "data-step-id=")).toBe(2);
    expect(renderRunReportHtml({ ...fresh, steps: [] })).not.toMatch(/NaN|undefined|Infinity/);
  });

  it("measures RTO from detection and from run start, says the target counts from detection, and moves the target line", () => {
    const detectedAt = at(-12);
    const alerted = renderRunReportHtml({ ...report, outcome: "succeeded", recovered: true, detectedAt, rtoFromDetectionSeconds: 53 * 60 + 12 });
    expect(alerted).toMatch(/RTO from detection vs target<\/div><div class="value" style="color:#1a7f37">53 min 12 s of 60 min/);
    expect(alerted).toContain(`the target counts from detection (first alert, <code>${detectedAt}</code>)`);
    expect(alerted).toMatch(/RTO from run start<\/div><div class="value" style="color:#1a7f37">41 min 12 s/);
    expect(alerted).toContain("the run started 12 min after detection");
    // The target line sits 60 - 12 = 48 min after the run's start.
    const svg = svgOf(alerted);
    const lineX = Number(/<g class="rto-target"><line x1="([\d.]+)"/.exec(svg)?.[1]);
    const tickX = (label: number): number => Number(new RegExp(`<text x="([\\d.]+)" y="[\\d.]+" text-anchor="middle">${label}</text>`).exec(svg)?.[1]);
    expect(lineX).toBeCloseTo(tickX(0) + ((tickX(10) - tickX(0)) * 48) / 10, 0);
    expect(svg).toContain("RTO target 60 min from detection");
    // Over target from detection though within it from the run's start: red.
    const slow = renderRunReportHtml({ ...report, outcome: "succeeded", recovered: true, detectedAt: at(-30), rtoFromDetectionSeconds: 71 * 60 + 12 });
    expect(slow).toMatch(/style="color:#cf222e">71 min 12 s of 60 min/);
  });

  it("says where a failed run leaves the estate and what to do next, before the timeline", () => {
    const section = /<section class="after stopped"[\s\S]*?<\/section>/.exec(html)?.[0] ?? "";
    expect(section).toContain("Where the estate is now");
    expect(section).toContain("<strong>Failed over, not committed (1):</strong> web-01");
    expect(section).toContain("<strong>DNS records moved (1):</strong> www.contoso.com");
    expect(section).toContain("<strong>Routes moved (1):</strong> rt-spoke/default");
    expect(section).toMatch(/What to do next<\/h3><ol><li>Fix the cause of the failed step\(s\) \(fo-app-01\), then resume the run/);
    expect(html.indexOf("Where the estate is now")).toBeLessThan(html.indexOf("<h2>Timeline</h2>"));
  });

  it("lists the route changes with their old and new next hop", () => {
    expect(html).toContain("<h2>Route changes</h2>");
    expect(html).toContain("<tr><td>rt-spoke/default</td><td>rt-spoke</td><td>10.0.0.10 → 10.20.0.10</td></tr>");
    expect(renderRunReportHtml({ ...report, routeChanges: [] })).not.toContain("Route changes");
  });

  it("keeps the steps table wide enough to read in a scrolling box and repeats the time axis in a sticky strip", () => {
    expect(html).toMatch(/<div class="scroll" role="region" aria-label="Steps" tabindex="0"><table class="steps">/);
    expect(html).toMatch(/table\.steps\{min-width:1180px\}table\.steps \.detail\{min-width:340px/);
    const sticky = /<div class="axis-sticky" aria-hidden="true"><svg class="timeline-axis"[\s\S]*?<\/svg><\/div>/.exec(html)?.[0] ?? "";
    expect(sticky).toContain('text-anchor="middle">0</text>');
    expect(html).toMatch(/\.axis-sticky\{position:sticky;bottom:0/);
  });
});
