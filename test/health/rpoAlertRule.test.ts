import { describe, expect, it } from "vitest";
import { evaluateEstate } from "../../shared/domain/health/estateRules.js";
import type { HealthCheck } from "../../shared/domain/health/healthReport.js";
import { readFailed, readOk, type AsrLogCoverage, type HealthSnapshot } from "../../shared/domain/health/healthSnapshot.js";
import { DEFAULT_THRESHOLDS } from "../../shared/domain/health/thresholds.js";
import { sampleEstate } from "../helpers.js";

// The health check says when the RPO alert rule (AzureDiagnostics, AzureSiteRecoveryReplicatedItems,
// rpoInSeconds_d) cannot fire for a vault, from what actually reached the rule's workspace.

const estate = sampleEstate();
const now = new Date("2026-03-01T02:00:00Z");
const eastus = estate.vaults["eastus"]!.name;
const seasia = estate.vaults["seasia"]!.name;

function rpoChecks(asrLogCoverage: HealthSnapshot["asrLogCoverage"]): HealthCheck[] {
  const snapshot: HealthSnapshot = {
    takenAt: now,
    vaults: {},
    recoveryPoints: {},
    circuits: {},
    targetDcHeartbeat: undefined,
    dns: {},
    vmAgents: {},
    ...(asrLogCoverage ? { asrLogCoverage } : {}),
  };
  return evaluateEstate({ estate, snapshot, now, thresholds: DEFAULT_THRESHOLDS }).filter((c) => c.kind === "rpoAlert");
}
const row = (vault: string, rowsWithRpo: number, provider = "InMageRcm"): AsrLogCoverage => ({
  vault: vault.toLowerCase(),
  provider,
  rows: 7,
  rowsWithRpo,
  newest: new Date("2026-03-01T01:00:00Z"),
});
const statusOf = (checks: HealthCheck[]): Record<string, string> => Object.fromEntries(checks.map((c) => [c.id, c.status]));

describe("RPO alert rule coverage (estate rule rpoAlert)", () => {
  it("is green per vault whose InMageRcm rows carry rpoInSeconds_d", () => {
    const checks = rpoChecks(readOk([row(eastus, 7), row(seasia, 4)]));
    expect(statusOf(checks)).toEqual({ [`estate/rpoAlert/${eastus}`]: "green", [`estate/rpoAlert/${seasia}`]: "green" });
    expect(checks[0]!.reason).toBe(
      "7 AzureSiteRecoveryReplicatedItems rows with rpoInSeconds_d for InMageRcm in the last 24 h, newest at 2026-03-01T01:00:00.000Z.",
    );
  });

  it("is amber, with the fix, for a vault that sent no rows: the rule cannot fire there", () => {
    const checks = rpoChecks(readOk([row(eastus, 7)]));
    expect(statusOf(checks)).toEqual({ [`estate/rpoAlert/${eastus}`]: "green", [`estate/rpoAlert/${seasia}`]: "amber" });
    const blind = checks.find((c) => c.subject === seasia)!;
    expect(blind.reason).toMatch(
      /^No AzureSiteRecoveryReplicatedItems rows from rsv-contoso-dr-seasia reached the workspace in the last 24 h: the vault has no diagnostic setting/,
    );
    expect(blind.reason).toMatch(/The RPO alert rule cannot fire for this vault/);
    expect(blind.advice.map((a) => a.id)).toEqual(["rpo-alert-no-logs"]);
  });

  it("is amber when the rows have no rpoInSeconds_d, or come only from another provider", () => {
    expect(rpoChecks(readOk([row(eastus, 0), row(seasia, 3, "A2A")])).map((c) => c.reason)).toEqual([
      expect.stringMatching(/^rsv-contoso-dr-eastus logs AzureSiteRecoveryReplicatedItems for InMageRcm, but without rpoInSeconds_d\./),
      expect.stringMatching(
        /^rsv-contoso-dr-seasia logs AzureSiteRecoveryReplicatedItems, but none with replicationProviderName_s 'InMageRcm' \(seen: A2A\)\./,
      ),
    ]);
  });

  it("is unknown when the workspace could not be read or is not configured", () => {
    expect(rpoChecks(readFailed("forbidden")).map((c) => `${c.status}: ${c.reason}`)).toEqual([
      `unknown: Could not check: forbidden.`,
      `unknown: Could not check: forbidden.`,
    ]);
    expect(rpoChecks(undefined).every((c) => c.status === "unknown" && c.reason.includes("healthCheck.asrLogsWorkspaceId"))).toBe(true);
  });
});
