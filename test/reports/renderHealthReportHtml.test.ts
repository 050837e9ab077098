import { describe, expect, it } from "vitest";
import { evaluateHealth } from "../../shared/domain/health/evaluateHealth.js";
import { readOk } from "../../shared/domain/health/healthSnapshot.js";
import { renderHealthReportHtml } from "../../shared/reports/renderHealthReportHtml.js";
import { sampleEstate } from "../helpers.js";
import { buildSnapshot, minutesAgo, NOW } from "../health/snapshotBuilder.js";

const estate = sampleEstate();

function report(isPastDue = false) {
  const snapshot = buildSnapshot(estate, {
    item: (vm, item) =>
      vm.name === "API03"
        ? { ...item, lastRecoveryPointReceived: minutesAgo(50), healthErrors: [{ code: "SIM-0001", level: "Warning", message: `<script>alert("x")</script> & more` }] }
        : item,
    targetDcHeartbeat: readOk(minutesAgo(10)),
  });
  return evaluateHealth(estate, snapshot, { reportId: "health-20260301T020000Z-abc", trigger: "timer", isPastDue, startedAt: NOW, finishedAt: NOW });
}

describe("health report page", () => {
  it("is self-contained: no scripts, no external assets, and every free text is escaped", () => {
    const html = renderHealthReportHtml(report());
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link |src=/i);
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more");
  });

  it("shows the overall verdict, a row per VM with a dot per check, and each estate check", () => {
    const r = report();
    const html = renderHealthReportHtml(r);
    expect(html).toContain("Health check: contoso-vsphere");
    expect(html).toContain(`>Red</span></h1>`);
    for (const vm of estate.vms) expect(html).toContain(`<th scope="row">${vm.name}</th>`);
    expect(html.match(/class="dot" style="background:#/g)?.length).toBe(estate.vms.length * 8 + 4);
    for (const c of r.estateChecks) expect(html).toContain(c.title.replace(/&/g, "&amp;").replace(/'/g, "&#39;"));
  });

  it("lists what to fix, worst first, with the reason, the advice steps, the reference and ASR's verbatim words", () => {
    const html = renderHealthReportHtml(report());
    const fix = html.slice(html.indexOf("<h2>What to fix"));
    expect(fix.indexOf("API03: RPO")).toBeLessThan(fix.indexOf("Domain controller in the target region"));
    expect(fix).toContain("Current RPO 50 min against the 30 min objective");
    expect(fix).toContain('<pre class="verbatim">Error SIM-0001: &lt;script&gt;');
    expect(fix).toContain('href="https://learn.microsoft.com/azure/site-recovery/vmware-azure-troubleshoot-replication"');
    expect(fix).toMatch(/<ol><li>/);
  });

  it("says when the timer ran late for a missed schedule", () => {
    expect(renderHealthReportHtml(report(true))).toContain("ran late: the timer fired for a missed schedule");
    expect(renderHealthReportHtml(report(false))).not.toContain("ran late");
  });
});
