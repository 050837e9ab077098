import type { CheckStatus, HealthCheck, HealthReport } from "../domain/health/healthReport.js";
import type { RunEvent } from "../ports/notifier.js";

const MAX_FINDINGS = 20;
const RANK: Readonly<Record<CheckStatus, number>> = { red: 0, amber: 1, unknown: 2, green: 3 };

/** The notification for a finished health check: counts plus the findings that need someone, worst first, each with its first piece of advice. */
export function healthCheckEvent(report: HealthReport, link?: string): RunEvent {
  const checks: { subject: string; check: HealthCheck }[] = [
    ...report.vms.flatMap((v) => v.checks.map((check) => ({ subject: v.vm, check }))),
    ...report.estateChecks.map((check) => ({ subject: "estate", check })),
  ];
  const findings = checks
    .filter(({ check }) => check.status !== "green")
    .sort((a, b) => RANK[a.check.status] - RANK[b.check.status])
    .slice(0, MAX_FINDINGS)
    .map(({ subject, check }) => {
      const label = check.status === "unknown" ? "COULD NOT CHECK" : check.status.toUpperCase();
      const advice = check.advice[0];
      const what = subject === "estate" ? check.title : `${subject} ${check.title}`;
      return `${label} ${what}: ${check.reason}${advice ? ` Fix: ${advice.title}${advice.steps[0] ? ` (${advice.steps[0]})` : ""}` : ""}`;
    });
  return {
    kind: "healthCheck",
    id: `${report.reportId}:healthCheck`,
    runId: report.reportId,
    estate: report.estate,
    mode: "healthCheck",
    at: new Date(report.finishedAt),
    summary: report.summary,
    trigger: report.trigger,
    health: {
      healthy: report.counts.green,
      warnings: report.counts.amber + report.counts.unknown,
      critical: report.counts.red,
      findings,
    },
    ...(link ? { link } : {}),
  };
}
