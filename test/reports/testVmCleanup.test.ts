import { describe, expect, it } from "vitest";
import type { Step } from "../../shared/domain/plan.js";
import { planFailover } from "../../shared/domain/planFailover.js";
import type { RunRecord, StepRecord } from "../../shared/ports/runStore.js";
import { buildRunReport } from "../../shared/reports/buildRunReport.js";
import { renderRunReportHtml } from "../../shared/reports/renderRunReportHtml.js";
import type { CleanupRunFacts } from "../../shared/reports/testVmCleanup.js";
import { sampleEstate } from "../helpers.js";

const estate = sampleEstate();
const START = "2026-03-07T03:00:00.000Z";
const at = (minutes: number): string => new Date(Date.parse(START) + minutes * 60_000).toISOString();
const request = { mode: "test", scope: { kind: "tiers", tiers: ["web"] } } as const;

/** A drill of the web tier that failed at WEB01's app probe: its three test VMs were created, none cleaned up by the drill. */
const drill: RunRecord = {
  runId: "run-drill",
  estate: estate.name,
  request,
  mode: "test",
  trigger: "scheduled drill",
  notes: [],
  status: "failed",
  startedAt: START,
  finishedAt: at(20),
  failureReason: "probe:WEB01 failed",
};
const statusOf = (step: Step): StepRecord["status"] =>
  step.kind === "failover" ? "succeeded" : step.kind === "healthProbe" && step.target.includes("WEB01") ? "failed" : "cancelled";
const records = planFailover(estate, request).steps.map(
  (step): StepRecord => ({
    runId: drill.runId,
    step,
    status: statusOf(step),
    successors: [],
    satisfied: [],
    seq: 0,
    retries: 0,
    journal: step.kind === "failover" ? { intentAt: at(1) } : {},
    ...(statusOf(step) === "cancelled" ? {} : { startedAt: at(1), finishedAt: at(10) }),
  }),
);
const cleanupRun: CleanupRunFacts = { runId: "run-drill-cleanup", status: "succeeded", startedAt: at(80), finishedAt: at(86), failureReason: undefined };
const reportOf = (run: RunRecord, facts?: Parameters<typeof buildRunReport>[4]) => buildRunReport(estate, run, records, new Date(at(90)), facts);
const WEB = "3 test VM(s) (WEB01, WEB02, WEB03)";

describe("a failed drill's report says what became of its test VMs", () => {
  it("before the automatic cleanup: they remain until its due time, which an operator may put off", () => {
    const pending = reportOf(drill, { graceMinutes: 60 });
    expect(pending.estateAfter.testVmCleanup).toEqual({ state: "pending", dueAt: at(80) });
    expect(pending.estateAfter.summary).toBe(`${WEB} remain in the isolated network until the automatic cleanup at ${at(80)}; production was not touched.`);
    expect(pending.estateAfter.nextSteps.join("\n")).toContain(
      `before the automatic cleanup at ${at(80)}: POST /api/runs/run-drill/cleanup removes them now, POST /api/runs/run-drill/extend-cleanup keeps them longer`,
    );
    // Without the grace period the report does not invent a time.
    expect(reportOf(drill).estateAfter.summary).toContain("until the automatic cleanup, once the drill's grace period is over");

    const extension = { by: "oid-1", byName: "otto.operator@contoso.com", at: at(30), minutes: 120, reason: "inspect WEB01's logs" };
    const putOff = reportOf({ ...drill, decisions: { cleanupGrace: { dueAt: at(200), extensions: [extension] } } }, { graceMinutes: 60 });
    expect(putOff.estateAfter.summary).toBe(
      `${WEB} remain in the isolated network until ${at(200)}: otto.operator@contoso.com put the automatic cleanup off (inspect WEB01's logs); production was not touched.`,
    );
  });

  it("once the cleanup run removed them: none left, when, and by which run; no page says they still run", () => {
    const decisions = { autoCleanup: { at: at(80), outcome: "started" as const, runId: cleanupRun.runId, vms: ["WEB01", "WEB02", "WEB03"] } };
    const running = reportOf({ ...drill, decisions }, { graceMinutes: 60, cleanupRun: { ...cleanupRun, status: "running", finishedAt: undefined } });
    expect(running.estateAfter.summary).toBe(`${WEB} are being removed by cleanup run run-drill-cleanup, started at ${at(80)}; production was not touched.`);
    expect(running.estateAfter.nextSteps).toContain("Follow cleanup run run-drill-cleanup to its end (GET /api/runs/run-drill-cleanup).");

    const done = reportOf({ ...drill, decisions }, { graceMinutes: 60, cleanupRun });
    expect(done.estateAfter.testVmsLeft).toEqual([]);
    expect(done.estateAfter.testVmCleanup).toEqual({ state: "cleanedUp", runId: "run-drill-cleanup", at: at(86) });
    expect(done.estateAfter.summary).toBe(`The test VMs were removed by cleanup run run-drill-cleanup, which ended at ${at(86)}; production was not touched.`);
    expect(done.estateAfter.nextSteps.join("\n")).not.toMatch(/cleanup/i);
    const page = renderRunReportHtml(done);
    expect(page).not.toMatch(/still run/);
    expect(page).not.toContain("Test VMs left");
    expect(page).toContain("removed by cleanup run run-drill-cleanup");

    const noneLeft = reportOf({ ...drill, decisions: { autoCleanup: { at: at(80), outcome: "nothingLeft" } } }, { graceMinutes: 60 });
    expect(noneLeft.estateAfter.summary).toBe(`No test VM was left: the automatic cleanup found none in ASR at ${at(80)}; production was not touched.`);
  });

  it("when the cleanup did not remove them: which run failed or that the automatic cleanup gave up, and what to do", () => {
    const failed = reportOf(drill, { graceMinutes: 60, cleanupRun: { ...cleanupRun, runId: "run-by-hand", status: "failed", failureReason: "cleanup:WEB02 failed" } });
    expect(failed.estateAfter.summary).toBe(
      `${WEB} remain in the isolated network: cleanup run run-by-hand ended at ${at(86)} without removing them (cleanup:WEB02 failed); the automatic cleanup follows at ${at(80)}; production was not touched.`,
    );
    const gaveUp = reportOf({ ...drill, decisions: { autoCleanup: { at: at(440), outcome: "gaveUp" } } }, { graceMinutes: 60 });
    expect(gaveUp.estateAfter.summary).toBe(`${WEB} remain in the isolated network: the automatic cleanup gave up at ${at(440)}; production was not touched.`);
    expect(gaveUp.estateAfter.nextSteps.join("\n")).toContain("then POST /api/runs/run-drill/cleanup removes them now");
    expect(renderRunReportHtml(gaveUp)).toContain("Test VMs left in the isolated network (3):");
  });

  it("a drill still running or one that succeeded has no cleanup to report", () => {
    expect(reportOf({ ...drill, status: "running", finishedAt: undefined }).estateAfter.testVmCleanup).toBeNull();
    expect(reportOf({ ...drill, status: "succeeded" }).estateAfter.testVmCleanup).toBeNull();
  });
});
