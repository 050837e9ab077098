import { describe, expect, it } from "vitest";
import type { Estate } from "../../shared/domain/estate.js";
import { evaluateHealth } from "../../shared/domain/health/evaluateHealth.js";
import type { HealthCheck, HealthReport } from "../../shared/domain/health/healthReport.js";
import { readFailed, readOk, type GuestRunEvidence } from "../../shared/domain/health/healthSnapshot.js";
import { sampleEstate } from "../helpers.js";
import { buildSnapshot, minutesAgo, NOW, type SnapshotOverrides } from "./snapshotBuilder.js";

const estate = sampleEstate();
const RUN = { reportId: "health-test", trigger: "test", isPastDue: false, startedAt: NOW, finishedAt: NOW };
const DAY_MIN = 24 * 60;

function evaluate(overrides: SnapshotOverrides, on: Estate = estate): HealthReport {
  return evaluateHealth(on, buildSnapshot(on, overrides), RUN);
}

function guest(report: HealthReport, vm: string): HealthCheck | undefined {
  return report.vms.find((v) => v.vm === vm)?.checks.find((c) => c.kind === "guestAgent");
}

const testVmId = (vm: string): string =>
  `/subscriptions/${estate.subscriptionId}/resourceGroups/rg-contoso-dr-eastus/providers/Microsoft.Compute/virtualMachines/${vm}-test`;

/** One drill's checks step on one VM, finished `daysAgo` days before NOW. */
function drill(vm: string, daysAgo: number, step: Partial<GuestRunEvidence> = {}, runId = `run-${vm}-${daysAgo}`): GuestRunEvidence {
  const at = minutesAgo(daysAgo * DAY_MIN);
  return {
    runId,
    mode: "test",
    runStatus: "succeeded",
    runStartedAt: new Date(at.getTime() - 30 * 60_000),
    vm,
    stepStatus: "succeeded",
    finishedAt: at,
    targetVmId: testVmId(vm),
    detail: "domainSecureChannel: ok",
    ...step,
  };
}

const AGENT_ERROR =
  "API01: Run Command not accepted yet (Run Command on API01-test: VMAgentStatusCommunicationError VM 'API01-test' has not reported status for VM agent or extensions. Please verify the VM has a running VM agent, and can establish outbound connections to Azure storage.)";
const runs = (...evidence: GuestRunEvidence[]): SnapshotOverrides => ({ recentRuns: readOk(evidence) });

describe("Azure VM agent in the recovered VM, proven by drills", () => {
  it("is left out when the run history is not wired, so the other rows stay as they are", () => {
    const report = evaluate({});
    expect(report.vms.every((v) => v.checks.every((c) => c.kind !== "guestAgent"))).toBe(true);
  });

  it("is amber for every VM a run gives a Run Command when no drill ran one, with install advice for its OS", () => {
    const report = evaluate(runs());
    // Every sample tier has in-guest checks or an HTTP probe (which a drill runs in-guest).
    expect(report.vms.map((v) => guest(report, v.vm)?.status)).toEqual(estate.vms.map(() => "amber"));
    const dc = guest(report, "DC01");
    expect(dc?.reason).toMatch(/^Not proven: no drill or failover in the last 90 days ran Run Command on this VM \(the in-guest checks: domainController\)/);
    expect(dc?.advice[0]).toMatchObject({ id: "vm-agent-recovered", reference: "https://learn.microsoft.com/azure/site-recovery/hydration-process" });
    expect(dc?.advice[0]?.steps[0]).toContain("https://go.microsoft.com/fwlink/?LinkID=394789");
    expect(guest(report, "WEB01")?.reason).toContain("in-guest HTTP probe in drills");
    expect(guest(report, "WEB01")?.advice[0]?.steps[0]).toMatch(/Azure Linux agent.*agent-linux#installation/);
    expect(report.summary).toMatch(/^AMBER: 16 amber/);
  });

  it("is green when the last drill ran Run Command on the test VM, naming the run, its date and the VM", () => {
    const c = guest(evaluate(runs(drill("API01", 3))), "API01");
    expect(c).toMatchObject({ status: "green", advice: [] });
    expect(c?.reason).toBe("Proven: the drill (run-API01-3, 2026-02-26, 3 days ago) ran Run Command on API01-test successfully.");
  });

  it("is green too when the command ran but some of its checks failed: the agent answered", () => {
    const c = guest(
      evaluate(
        runs(drill("API01", 3, { stepStatus: "failed", runStatus: "failed", detail: "API01: domainSecureChannel failed (The secure channel is broken)" })),
      ),
      "API01",
    );
    expect(c?.status).toBe("green");
    expect(c?.reason).toContain("some of its checks failed");
  });

  it("is red when the last drill's Run Command failed because the VM agent never reported", () => {
    const c = guest(evaluate(runs(drill("API01", 2, { stepStatus: "failed", runStatus: "failed", detail: AGENT_ERROR }))), "API01");
    expect(c?.status).toBe("red");
    expect(c?.reason).toMatch(
      /^The drill \(run-API01-2, 2026-02-27, 2 days ago\) could not run Run Command on API01-test: the Azure VM agent did not report \(VMAgentStatusCommunicationError VM 'API01-test' has not reported status/,
    );
    expect(c?.reason).toContain("domainSecureChannel, databaseReachable, in-guest HTTP probe in drills");
    expect(c?.advice.map((a) => a.id)).toEqual(["vm-agent-recovered"]);
  });

  it("follows the newest drill that reached the VM: a later success clears a red, a later agent failure makes it red again", () => {
    const failed = drill("API01", 10, { stepStatus: "failed", runStatus: "failed", detail: AGENT_ERROR });
    expect(guest(evaluate(runs(failed, drill("API01", 2))), "API01")?.status).toBe("green");
    expect(guest(evaluate(runs(drill("API01", 20), failed)), "API01")?.status).toBe("red");
  });

  it("is amber when the last drill's Run Command failed for another reason", () => {
    const c = guest(
      evaluate(
        runs(
          drill("API01", 1, {
            stepStatus: "failed",
            runStatus: "failed",
            detail: "Run Command on API01-test: Forbidden: the identity lacks Microsoft.Compute/virtualMachines/runCommand/action",
          }),
        ),
      ),
      "API01",
    );
    expect(c).toMatchObject({
      status: "amber",
      reason: expect.stringMatching(
        /^Not proven: the drill \(run-API01-1, .*\) could not run Run Command on API01-test \(Run Command on API01-test: Forbidden/,
      ),
    });
  });

  it("skips drills that never reached the VM's checks, and says so when no other one did", () => {
    const notReached = drill("API01", 1, {
      stepStatus: "pending",
      runStatus: "failed",
      runFailureReason: "step failover:API01 failed: the test failover job failed",
    });
    delete (notReached as { detail?: string }).detail;
    expect(guest(evaluate(runs(drill("API01", 30), notReached)), "API01")?.reason).toMatch(/^Proven: the drill \(run-API01-30,/);
    const alone = guest(evaluate(runs(notReached)), "API01");
    expect(alone?.status).toBe("amber");
    expect(alone?.reason).toContain("did not reach the in-guest checks on this VM (step failover:API01 failed: the test failover job failed)");
  });

  it("counts a real failover's Run Command on the recovered VM as proof", () => {
    const failover = drill("API01", 5, {
      mode: "unplanned",
      targetVmId: `/subscriptions/${estate.subscriptionId}/resourceGroups/rg-contoso-dr-eastus/providers/Microsoft.Compute/virtualMachines/API01`,
    });
    expect(guest(evaluate(runs(failover)), "API01")?.reason).toMatch(/^Proven: the failover \(run-API01-5, .*\) ran Run Command on API01 successfully\.$/);
  });

  it("forgets proof older than the test-failover age limit (90 days)", () => {
    expect(guest(evaluate(runs(drill("API01", 89))), "API01")?.status).toBe("green");
    expect(guest(evaluate(runs(drill("API01", 91))), "API01")?.status).toBe("amber");
  });

  it("could not check when the run history could not be read, and still checks when a vault could not", () => {
    expect(guest(evaluate({ recentRuns: readFailed("timed out after 45 s") }), "API01")).toMatchObject({
      status: "unknown",
      reason: "Could not check: timed out after 45 s.",
    });
    const vaultDown = evaluate({ ...runs(drill("API01", 3)), vault: (key, v) => (key === "eastus" ? { ...v, items: readFailed("forbidden") } : v) });
    expect(guest(vaultDown, "API01")?.status).toBe("green");
  });

  it("leaves out VMs whose tier runs no Run Command in any mode", () => {
    const plain: Estate = { ...estate, tiers: estate.tiers.map((t) => (t.name === "web" ? { name: t.name, dependsOn: t.dependsOn, guestChecks: [] } : t)) };
    const report = evaluate(runs(), plain);
    expect(guest(report, "WEB01")).toBeUndefined();
    expect(guest(report, "API01")?.status).toBe("amber");
  });
});
