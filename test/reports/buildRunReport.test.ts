import { describe, expect, it } from "vitest";
import { planFailover } from "../../shared/domain/planFailover.js";
import type { Step } from "../../shared/domain/plan.js";
import type { RunRecord, StepRecord, StepStatus } from "../../shared/ports/runStore.js";
import { buildRunReport } from "../../shared/reports/buildRunReport.js";
import { formatDuration } from "../../shared/reports/formatDuration.js";
import { renderRunReportHtml } from "../../shared/reports/renderRunReportHtml.js";
import { sampleEstate } from "../helpers.js";

const estate = sampleEstate();
const START = "2026-03-07T03:00:00.000Z";
const at = (minutes: number): string => new Date(Date.parse(START) + minutes * 60_000).toISOString();

const plan = planFailover(estate, { mode: "unplanned", scope: { kind: "all" } });
const run: RunRecord = {
  runId: "run-1",
  estate: estate.name,
  request: { mode: "unplanned", scope: { kind: "all" } },
  mode: "unplanned",
  trigger: "incident inc-1: ExpressRoute down",
  notes: [],
  status: "failed",
  startedAt: START,
  finishedAt: at(25),
  failureReason: "fo-API02 failed",
  detectedAt: at(-7),
};

/** The identity and edge tiers done (failed over, checked, routes and DNS moved), API02's failover failed, nothing after. */
function statusOf(step: Step): StepStatus {
  if (step.kind === "commit") return "cancelled"; // commits wait for every tier
  if (step.tier === "identity" || step.tier === "edge" || step.kind === "verifyTargetDc") return "succeeded";
  if (step.kind === "failover" && step.vm === "API02") return "failed";
  if (step.kind === "failover" && step.tier === "api") return "succeeded";
  return "cancelled";
}

function recordOf(step: Step, i: number): StepRecord {
  const status = statusOf(step);
  const journal =
    step.kind === "updateRoute" && status === "succeeded"
      ? { previous: { addressPrefix: "0.0.0.0/0", nextHopIpAddress: "10.1.0.4", nextHopType: "VirtualAppliance" }, output: { nextHopIpAddress: "10.50.0.4" } }
      : step.kind === "updateDns" && status === "succeeded"
        ? { output: { from: ["10.1.0.10"], to: step.addresses } }
        : {};
  const ran = status === "succeeded" || status === "failed";
  return {
    runId: run.runId,
    step,
    status,
    successors: [],
    satisfied: [],
    seq: 0,
    retries: 0,
    journal,
    ...(ran ? { startedAt: at(i % 20), finishedAt: at((i % 20) + 1) } : {}),
  };
}

describe("buildRunReport", () => {
  const records = plan.steps.map(recordOf);
  const report = buildRunReport(estate, run, records, new Date(at(30)));

  it("measures RTO from the first alert as well as from the run's start, and says the target counts from detection", () => {
    expect(report.detectedAt).toBe(at(-7));
    expect(report.rtoSeconds).toBe(25 * 60);
    expect(report.rtoFromDetectionSeconds).toBe(32 * 60);
    expect(report.rtoTargetAppliesTo).toBe("detection");
    expect(report.recovered).toBe(false);
    // A run a person asked for is detected when requested: both figures agree.
    const { detectedAt: _detected, ...requested } = run;
    const manual = buildRunReport(estate, requested, records, new Date(at(30)));
    expect(manual.detectedAt).toBe(START);
    expect(manual.rtoFromDetectionSeconds).toBe(manual.rtoSeconds);
  });

  it("lists the steps that ran by start time, then those that did not, in plan order", () => {
    const started = report.steps.filter((s) => s.startedAt !== null);
    const idle = report.steps.filter((s) => s.startedAt === null);
    expect(report.steps).toEqual([...started, ...idle]);
    expect(started.map((s) => s.startedAt)).toEqual([...started.map((s) => s.startedAt)].sort());
    const planOrder = plan.steps.map((s) => s.id);
    expect(idle.map((s) => s.id)).toEqual(planOrder.filter((id) => idle.some((s) => s.id === id)));
  });

  it("orders the tiers by their dependencies", () => {
    expect(report.tiers).toEqual(["identity", "edge", "api", "web", "recommendation"]);
    const reversed = { ...estate, tiers: [...estate.tiers].reverse() };
    expect(buildRunReport(reversed, run, records, new Date(at(30))).tiers).toEqual(["identity", "edge", "api", ...["web", "recommendation"].reverse()]);
  });

  it("lists the routes moved with their old and new next hop", () => {
    const routes = estate.routes.filter((r) => r.tier === "edge");
    expect(routes.length).toBeGreaterThan(0);
    expect(report.routeChanges).toHaveLength(routes.length);
    for (const change of report.routeChanges) expect(change).toMatchObject({ from: "10.1.0.4", to: "10.50.0.4" });
  });

  it("says which VMs are failed over and not committed, which names and routes moved, and what to do next", () => {
    // Commits wait for every tier: whatever failed over (all but API02) stays uncommitted.
    const failedOver = ["DC01", "DC02", "NAT01", "API01", "API03", "API04", "API05", "API06"];
    expect(report.estateAfter.failedOverNotCommitted).toEqual(failedOver);
    expect(report.estateAfter.committed).toEqual([]);
    expect(report.estateAfter.dnsMoved).toEqual(report.dnsChanges.map((c) => c.record));
    expect(report.estateAfter.routesMoved).toEqual(report.routeChanges.map((c) => c.route));
    expect(report.estateAfter.summary).toMatch(new RegExp(`^${failedOver.length} VM\\(s\\) failed over and not committed`));
    const next = report.estateAfter.nextSteps.join("\n");
    expect(next).toContain("then resume the run (POST /api/runs/run-1/resume)");
    expect(next).toMatch(/fo-API02|API02/);
    expect(next).toContain("can still change recovery point");
  });

  it("tells a cancelled run's operator that it will not be resumed", () => {
    const cancelled = buildRunReport(estate, { ...run, status: "cancelled" }, records.map((r) => (r.status === "failed" ? { ...r, status: "cancelled" } : r)), new Date(at(30)));
    expect(cancelled.estateAfter.nextSteps.join("\n")).toContain("A cancelled run is not resumed");
    expect(cancelled.estateAfter.nextSteps.join("\n")).not.toContain("/resume");
  });
});

describe("buildRunReport of a failback run", () => {
  const request = { mode: "failback", scope: { kind: "all" }, failoverRunId: "run-1" } as const;
  const failbackPlan = planFailover(estate, request);
  const { detectedAt: _detected, ...manual } = run;
  const back: RunRecord = { ...manual, runId: "run-back", request, mode: "failback", status: "succeeded", failureReason: undefined };
  const [firstRoute] = estate.routes;
  const refusedDns = estate.dns[0];
  if (!firstRoute || !refusedDns) throw new Error("the sample estate has routes and DNS records");
  const refused = `restore-dns:${refusedDns.zoneType}:${refusedDns.zone}:${refusedDns.name}`;
  const records = failbackPlan.steps.map((step, i): StepRecord => {
    const failedRestore = step.id === refused;
    const journal =
      step.kind === "restoreDns" && !failedRestore
        ? { output: { from: ["20.1.1.1"], to: ["10.1.0.10"] } }
        : step.kind === "restoreRoute"
          ? { output: { nextHopIpAddress: "10.1.0.4" } }
          : {};
    return {
      runId: back.runId,
      step,
      status: failedRestore ? "failed" : "succeeded",
      successors: [],
      satisfied: [],
      seq: 0,
      retries: 0,
      journal,
      startedAt: at(i % 20),
      finishedAt: at((i % 20) + 1),
      ...(failedRestore ? { error: "someone changed it since" } : {}),
    };
  });
  const report = buildRunReport(estate, back, records, new Date(at(30)));

  it("lists the names and routes it set back as its DNS and route changes, not the one it refused to overwrite", () => {
    expect(report.dnsChanges).toHaveLength(estate.dns.length - 1);
    expect(report.dnsChanges.every((c) => c.from[0] === "20.1.1.1" && c.to[0] === "10.1.0.10")).toBe(true);
    expect(report.routeChanges).toContainEqual({ route: `${firstRoute.routeTable}/${firstRoute.route}`, routeTable: firstRoute.routeTable, from: null, to: "10.1.0.4" });
  });

  it("says where the estate is in failback terms, and which point the on-premises VMs start from", () => {
    expect(report.estateAfter.summary).toMatch(new RegExp(`^${estate.vms.length} VM\\(s\\) failed back and committed; ${estate.vms.length} VM\\(s\\) protected towards Azure again; `));
    expect(report.estateAfter.reprotected).toHaveLength(estate.vms.length);
    expect(report.recoveryPointChoice).toEqual({ choice: "ApplicationConsistent", meaning: expect.stringMatching(/application-consistent point/) });
    expect(report.dataLossWindowSeconds).toBeNull();
  });

  it("measures the downtime from the first planned failover back to the last tier ready, and the page shows it instead of an RTO", () => {
    const starts = records.filter((r) => r.step.kind === "plannedFailback").map((r) => Date.parse(r.startedAt ?? ""));
    const readies = records.filter((r) => r.step.kind === "tierReady").map((r) => Date.parse(r.finishedAt ?? ""));
    expect(report.downtimeSeconds).toBe((Math.max(...readies) - Math.min(...starts)) / 1000);
    const page = renderRunReportHtml(report);
    expect(page).toContain("<h1>contoso-vsphere — Failback");
    expect(page).toContain(`<div class="label">Downtime</div><div class="value" style="color:inherit">${formatDuration(report.downtimeSeconds ?? NaN)}</div>`);
    expect(page).not.toContain('class="rto-target"');
    expect(page).not.toContain("Data-loss window");
  });
});
