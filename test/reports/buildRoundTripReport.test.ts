import { describe, expect, it } from "vitest";
import type { RunRecord } from "../../shared/ports/runStore.js";
import { buildRoundTripReport } from "../../shared/reports/buildRoundTripReport.js";
import { renderRoundTripReportHtml } from "../../shared/reports/renderRoundTripReportHtml.js";
import { roundTripRuns } from "../../shared/reports/roundTripRuns.js";
import { APPROVER, at, estate, failbackRun, failover, FAILOVER_ID, prep } from "./roundTripFixtures.js";

describe("roundTripRuns", () => {
  const drill: RunRecord = { ...failover.run, runId: "run-drill", mode: "test", request: { mode: "test", scope: { kind: "all" } }, startedAt: at(-60) };
  const other: RunRecord = { ...failover.run, runId: "run-other-failover", startedAt: at(400) };
  const all = [other, failbackRun({ status: "succeeded" }).run, drill, prep.run, failover.run];

  it("links the runs of one round trip by request.failoverRunId, oldest first, whichever of them is named", () => {
    const ids = (runId: string): string[] | undefined => roundTripRuns(all, runId)?.map((r) => r.runId);
    expect(ids(FAILOVER_ID)).toEqual([FAILOVER_ID, "run-prep", "run-failback"]);
    expect(ids("run-failback")).toEqual([FAILOVER_ID, "run-prep", "run-failback"]);
    expect(ids("run-other-failover")).toEqual(["run-other-failover"]);
  });

  it("has no round trip for a drill, an unknown run, or a failback whose failover run is gone", () => {
    expect(roundTripRuns(all, "run-drill")).toBeUndefined();
    expect(roundTripRuns(all, "nope")).toBeUndefined();
    expect(roundTripRuns([prep.run], "run-prep")).toBeUndefined();
  });
});

describe("buildRoundTripReport", () => {
  const now = new Date(at(300));

  it("puts the three runs on one timeline, with the failover's RTO, the replication back and the failback's downtime", () => {
    const report = buildRoundTripReport(estate, [failbackRun({ status: "succeeded" }), prep, failover], now);
    expect(report).toMatchObject({
      roundTripId: FAILOVER_ID,
      estate: estate.name,
      status: "complete",
      startedAt: at(0),
      finishedAt: at(260),
      durationSeconds: 260 * 60,
      failover: { runId: FAILOVER_ID, rtoSeconds: 50 * 60, rtoTargetSeconds: 3600, rtoMet: true },
      replicationBack: { startedAt: at(120), healthyAt: at(200), seconds: 80 * 60 },
      // From the first planned failover back (identity at 202) until the last tier was ready (web and recommendation at 241).
      failback: { runId: "run-failback", approvedBy: APPROVER.byName, downtimeStartedAt: at(202), downtimeEndedAt: at(241), downtimeSeconds: 39 * 60 },
    });
    expect(report.phases.map((p) => [p.phase, p.runId, p.outcome, p.startOffsetSeconds, p.approvedBy])).toEqual([
      ["failover", FAILOVER_ID, "succeeded", 0, APPROVER.byName],
      ["failbackPrep", "run-prep", "succeeded", 120 * 60, APPROVER.byName],
      ["failback", "run-failback", "succeeded", 180 * 60, APPROVER.byName],
    ]);
    expect(report.failback?.tiers).toEqual([
      { tier: "identity", downtimeSeconds: 9 * 60 },
      { tier: "edge", downtimeSeconds: 9 * 60 },
      { tier: "api", downtimeSeconds: 9 * 60 },
      { tier: "web", downtimeSeconds: 9 * 60 },
      { tier: "recommendation", downtimeSeconds: 9 * 60 },
    ]);
    expect(report.tiers).toEqual(["identity", "edge", "api", "web", "recommendation"]);
    expect(report.tierSpans.filter((s) => s.tier === "edge").map((s) => [s.phase, s.startedAt, s.finishedAt])).toEqual([
      ["failover", at(12), at(46)],
      ["failbackPrep", at(121), at(131)],
      ["failback", at(180), at(258)],
    ]);
    expect(report.steps.length).toBe(failover.steps.length + prep.steps.length + (failbackRun({ status: "succeeded" }).steps.length));
    expect(report.summary).toMatch(/^Round trip complete: 16 VM\(s\) run on-premises again and replicate to Azure; \d+ DNS record\(s\) and \d+ route\(s\) set back\.$/);
    expect(report.nextSteps).toEqual(["Nothing: the estate runs on-premises and is protected towards Azure again."]);
  });

  it("counts apart, in its summary, the names and routes set back and those the failover created, removed", () => {
    const back = failbackRun({ status: "succeeded" });
    const removedRoute = back.steps.find((s) => s.step.kind === "restoreRoute");
    if (!removedRoute) throw new Error("the failback fixture restores a route");
    const steps = back.steps.map((s) => (s === removedRoute ? { ...s, journal: { ...s.journal, output: { from: "10.50.0.4", to: null, removed: true } } } : s));
    const report = buildRoundTripReport(estate, [failover, prep, { ...back, steps }], now);
    const routesSetBack = report.routeChanges.filter((c) => c.restore === "restored").length;
    expect(report.routeChanges.filter((c) => c.restore === "removed")).toHaveLength(1);
    expect(report.summary).toMatch(
      new RegExp(`; \\d+ DNS record\\(s\\) and ${routesSetBack} route\\(s\\) set back; 0 DNS record\\(s\\) and 1 route\\(s\\) the failover created removed\\.$`),
    );
  });

  it("follows every VM there and back", () => {
    const report = buildRoundTripReport(estate, [failover, prep, failbackRun({ status: "succeeded" })], now);
    expect(report.vms.map((v) => v.vm)).toEqual(estate.vms.map((vm) => vm.name));
    expect(report.vms.find((v) => v.vm === "NAT01")).toEqual({
      vm: "NAT01",
      tier: "edge",
      failedOverAt: at(20),
      committedAt: at(46),
      reprotectedToOnPremisesAt: at(131),
      replicationBackHealthyAt: at(200),
      failedBackAt: at(220),
      failbackCommittedAt: at(244),
      reprotectedToAzureAt: at(258),
    });
  });

  it("shows each DNS record and route moved to Azure and set back, and one someone changed since left as found", () => {
    const www = estate.dns.find((d) => d.zoneType === "public");
    if (!www) throw new Error("the sample estate has a public record");
    const refused = `restore-dns:${www.zoneType}:${www.zone}:${www.name}`;
    const report = buildRoundTripReport(estate, [failover, prep, failbackRun({ status: "failed", refuse: refused })], now);
    expect(report.dnsChanges.filter((c) => c.zoneType !== "activeDirectory")).toHaveLength(estate.dns.length);
    expect(report.routeChanges).toHaveLength(estate.routes.length);
    const target = `${www.name === "@" ? "" : `${www.name}.`}${www.zone}`;
    expect(report.dnsChanges.find((c) => c.record === target)).toEqual({
      record: target,
      zoneType: "public",
      onPremises: ["10.1.0.10"],
      recovery: www.failoverAddresses,
      movedAt: expect.any(String),
      restore: "notRestored",
      restoredAt: null,
      detail: expect.stringMatching(/holds 203\.0\.113\.99/),
    });
    expect(report.dnsChanges.filter((c) => c.record !== target).every((c) => c.restore === "restored" && c.restoredAt !== null)).toBe(true);
    expect(report.routeChanges.every((c) => c.restore === "restored" && c.onPremises === "10.1.0.4" && c.recovery === "10.50.0.4")).toBe(true);
    expect(report.status).toBe("stopped");
    expect(report.nextSteps[0]).toMatch(new RegExp(`failed step\\(s\\) of run run-failback \\(${refused.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\).*POST /api/runs/run-failback/resume`));
  });

  it("says what comes next at each stage of the way", () => {
    const first = buildRoundTripReport(estate, [failover], now);
    expect(first).toMatchObject({ status: "inProgress", replicationBack: null, failback: null, finishedAt: null });
    expect(first.nextSteps[0]).toMatch(/prepare the failback: POST \/api\/failover \{"mode": "failback-prep", "failoverRunId": "run-failover"\}/);
    expect(first.dnsChanges.every((c) => c.restore === "notPlanned")).toBe(true);

    const prepared = buildRoundTripReport(estate, [failover, prep], now);
    expect(prepared.replicationBack).toEqual({ startedAt: at(120), healthyAt: null, seconds: null });
    expect(prepared.nextSteps[0]).toMatch(/"mode": "failback", "failoverRunId": "run-failover", "dryRun": true/);

    const halfway = buildRoundTripReport(estate, [failover, prep, failbackRun({ status: "running", upTo: "identity" })], now);
    expect(halfway.status).toBe("inProgress");
    expect(halfway.failback).toMatchObject({ downtimeStartedAt: at(202), downtimeEndedAt: null, downtimeSeconds: null });
    expect(halfway.dnsChanges.some((c) => c.restore === "pending")).toBe(true);
    expect(halfway.durationSeconds).toBe(300 * 60);
  });

  it("renders one self-contained page: the runs, the timeline with its break, the names there and back, escaped text", () => {
    const report = buildRoundTripReport(estate, [failover, prep, failbackRun({ status: "failed", refuse: `restore-route:${estate.routes[0]?.routeTable}:${estate.routes[0]?.route}` })], now);
    const hostile = { ...report, estate: `<script>alert("x")</script>` };
    const page = renderRoundTripReportHtml(hostile, now);
    expect(page).not.toMatch(/<script>/);
    expect(page).toContain("&lt;script&gt;");
    expect(page).not.toMatch(/https?:/);
    for (const runId of [FAILOVER_ID, "run-prep", "run-failback"]) expect(page).toContain(`href="${runId}.html"`);
    expect(page).toContain("Failback downtime");
    expect(page).toContain("NOT set back");
    // Two breaks of idle time between the three runs (70 min after the failover, 48 min after the preparation).
    expect(page.match(/class="break"/g)).toHaveLength(2);
    expect(page).toContain("70 min idle");
    expect(page).toContain("48 min idle");
    expect(page).not.toContain("NaN");
    // Moved and set back are told apart by shape: a diamond for each change there, a circle for each one set back.
    const restored = report.dnsChanges.filter((c) => c.restore === "restored").length + report.routeChanges.filter((c) => c.restore === "restored").length;
    expect(page.match(/class="marker moved"/g)).toHaveLength(report.dnsChanges.length + report.routeChanges.length);
    expect(page.match(/class="marker restored"/g)).toHaveLength(restored);
  });
});
