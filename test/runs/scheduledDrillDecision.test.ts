import { describe, expect, it } from "vitest";
import type { CheckKind, CheckStatus, HealthCheck, HealthReport } from "../../shared/domain/health/healthReport.js";
import { NO_INCIDENT } from "../../shared/domain/incidents/incidentState.js";
import { decideScheduledDrill, MAX_HEALTH_REPORT_AGE_HOURS, type LeftoverRead } from "../../shared/runs/scheduledDrill.js";

const NOW = new Date("2026-11-28T03:00:00Z");
const hoursAgo = (h: number): string => new Date(NOW.getTime() - h * 3_600_000).toISOString();
const check = (kind: CheckKind, status: CheckStatus, title: string): HealthCheck => ({
  id: `x/${title}`,
  kind,
  subject: title,
  title,
  status,
  reason: "",
  advice: [],
});

function report(overall: CheckStatus, finishedHoursAgo: number, checks: { vm?: HealthCheck[]; estate?: HealthCheck[] } = {}): HealthReport {
  return {
    reportId: `health-${overall}`,
    estate: "contoso",
    trigger: "timer",
    isPastDue: false,
    startedAt: hoursAgo(finishedHoursAgo),
    finishedAt: hoursAgo(finishedHoursAgo),
    overall,
    counts: { green: 0, amber: 0, red: 0, unknown: 0 },
    summary: `${overall.toUpperCase()}: ...`,
    vms: checks.vm ? [{ vm: "API01", tier: "api", vault: "eastus", status: overall, checks: checks.vm }] : [],
    estateChecks: checks.estate ?? [],
    thresholds: {},
  };
}

const none: LeftoverRead = { ok: true, value: [] };
const decide = (latestHealth: HealthReport | undefined, leftovers: LeftoverRead = none) =>
  decideScheduledDrill({ scope: { kind: "all" }, cleanupAfterMinutes: 60, incident: NO_INCIDENT, latestHealth, leftovers, now: NOW });

describe("the scheduled drill's decision", () => {
  it("runs on a fresh green report, as a test failover that cleans up on its own", () => {
    expect(decide(report("green", 1))).toEqual({
      run: true,
      request: { mode: "test", scope: { kind: "all" }, manualFinish: true, cleanupAfterMinutes: 60 },
    });
  });

  it("skips with no health report at all, and with one older than the limit", () => {
    expect(decide(undefined)).toMatchObject({ run: false, reason: expect.stringMatching(/no health report yet/) });
    expect(decide(report("green", MAX_HEALTH_REPORT_AGE_HOURS))).toMatchObject({ run: true });
    expect(decide(report("green", MAX_HEALTH_REPORT_AGE_HOURS + 1))).toMatchObject({
      run: false,
      reason: expect.stringMatching(/is 27 h old, over the 26 h limit/),
    });
  });

  it("skips on red, and on amber unless every amber finding is one a drill remedies", () => {
    expect(decide(report("red", 1))).toMatchObject({ run: false, reason: expect.stringMatching(/is red/) });
    const remedied = report("amber", 1, { vm: [check("testFailover", "amber", "Last test failover"), check("guestAgent", "amber", "VM agent")] });
    expect(decide(remedied)).toMatchObject({ run: true });
    const drifting = report("amber", 1, { vm: [check("guestAgent", "amber", "VM agent")], estate: [check("notifications", "amber", "Notification channels")] });
    expect(decide(drifting)).toEqual({ run: false, reason: expect.stringMatching(/is amber: Notification channels$/) });
  });

  it("refuses while ASR holds test VMs, or when it could not tell, saying what to do", () => {
    const left: LeftoverRead = { ok: true, value: [{ vm: "WEB02", vaultKey: "eastus", item: "web02-vsphere", state: "awaitingCleanup" }] };
    expect(decide(report("green", 1), left)).toMatchObject({
      run: false,
      reason: expect.stringMatching(/ASR still holds test failovers: 1 test VM\(s\) not cleaned up \(WEB02\); clean them up first \(POST \/api\/runs/),
    });
    expect(decide(report("green", 1), { ok: false, reason: "throttled" })).toMatchObject({
      run: false,
      reason: expect.stringMatching(/could not confirm .*throttled/),
    });
  });
});
