import type { Estate } from "../estate.js";
import { evaluateEstate } from "./estateRules.js";
import { worst, type CheckStatus, type HealthCheck, type HealthReport, type StatusCounts, type VmHealth } from "./healthReport.js";
import type { HealthSnapshot } from "./healthSnapshot.js";
import { locateItem } from "./inventory.js";
import { DEFAULT_THRESHOLDS, type HealthThresholds } from "./thresholds.js";
import { evaluateVm } from "./vmRules.js";

export interface HealthRunInfo {
  readonly reportId: string;
  readonly trigger: string;
  readonly isPastDue: boolean;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

/** The whole nightly verdict from what was read: pure, so every rule is tested without Azure. */
export function evaluateHealth(estate: Estate, snapshot: HealthSnapshot, run: HealthRunInfo, thresholds: HealthThresholds = DEFAULT_THRESHOLDS): HealthReport {
  const now = snapshot.takenAt;
  const vms: VmHealth[] = estate.vms.map((vm) => {
    const location = locateItem(estate, vm, snapshot);
    const checks = evaluateVm({ estate, vm, location, points: snapshot.recoveryPoints[vm.name], runs: snapshot.recentRuns, now, thresholds });
    return { vm: vm.name, tier: vm.tier, vault: vm.vault, status: worst(checks.map((c) => c.status)), checks };
  });
  const estateChecks = evaluateEstate({ estate, snapshot, now, thresholds });
  const all = [...vms.flatMap((v) => v.checks), ...estateChecks];
  const counts = countStatuses(all);
  const overall = worst(all.map((c) => c.status));
  return {
    reportId: run.reportId,
    estate: estate.name,
    trigger: run.trigger,
    isPastDue: run.isPastDue,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt.toISOString(),
    overall,
    counts,
    summary: summarise(overall, counts, vms, estateChecks),
    vms,
    estateChecks,
    thresholds: {
      ...thresholds,
      rpoObjectiveMinutes: estate.objectives.rpoMinutes,
      appConsistentFrequencyMinutes: estate.objectives.appConsistentFrequencyMinutes,
      retentionDays: estate.objectives.retentionDays,
      rtoMinutes: estate.objectives.rtoMinutes,
    },
  };
}

export function countStatuses(checks: readonly HealthCheck[]): StatusCounts {
  const counts: Record<CheckStatus, number> = { green: 0, amber: 0, red: 0, unknown: 0 };
  for (const c of checks) counts[c.status] += 1;
  return counts;
}

const LABEL: Readonly<Record<CheckStatus, string>> = { green: "GREEN", amber: "AMBER", red: "RED", unknown: "UNKNOWN" };

/** "RED: 2 red, 3 amber, 1 could not be checked, 140 green (16 VMs, 12 estate checks). Red: API03 RPO; www DNS." */
function summarise(overall: CheckStatus, counts: StatusCounts, vms: readonly VmHealth[], estateChecks: readonly HealthCheck[]): string {
  const tally = [
    counts.red ? `${counts.red} red` : "",
    counts.amber ? `${counts.amber} amber` : "",
    counts.unknown ? `${counts.unknown} could not be checked` : "",
    `${counts.green} green`,
  ].filter(Boolean);
  const head = `${LABEL[overall]}: ${tally.join(", ")} (${vms.length} VMs, ${estateChecks.length} estate checks).`;
  const worstChecks = (status: CheckStatus): string[] => [
    ...vms.flatMap((v) => v.checks.filter((c) => c.status === status).map((c) => `${v.vm} ${c.title}`)),
    ...estateChecks.filter((c) => c.status === status).map((c) => c.title),
  ];
  const list = (status: CheckStatus, label: string): string => {
    const found = worstChecks(status);
    if (found.length === 0) return "";
    return ` ${label}: ${found.slice(0, 4).join("; ")}${found.length > 4 ? `; and ${found.length - 4} more` : ""}.`;
  };
  return `${head}${list("red", "Red")}${overall !== "red" ? list("amber", "Amber") : ""}`;
}
