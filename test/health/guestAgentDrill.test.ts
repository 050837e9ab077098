import { describe, expect, it } from "vitest";
import type { FaultPlan } from "../../local/simulated-azure/simulatedAzure.js";
import type { HealthCheck } from "../../shared/domain/health/healthReport.js";
import { silentLogger } from "../../shared/ports/logger.js";
import { runFailover, type HarnessRun } from "../runs/engineHarness.js";

/** A drill of the identity tier (DC01 goes into the isolated network) through the real engine, then the nightly check over the same run store. */
async function drillThenHealthCheck(faults?: FaultPlan): Promise<{ drill: HarnessRun; dc01: HealthCheck | undefined; dc02: HealthCheck | undefined }> {
  const drill = await runFailover({ request: { mode: "test", scope: { kind: "tiers", tiers: ["identity"] } }, ...(faults ? { faults } : {}) });
  // The drill's own root: its health check reads the same run store and simulated Azure.
  const outcome = await drill.stack.root.healthCheck.run({ trigger: "test", isPastDue: false, holder: "guest-agent-test" }, silentLogger);
  if (outcome.status !== "completed") throw new Error("health check skipped");
  const guest = (vm: string) => outcome.report.vms.find((v) => v.vm === vm)?.checks.find((c) => c.kind === "guestAgent");
  return { drill, dc01: guest("DC01"), dc02: guest("DC02") };
}

describe("the nightly check reads the drills' Run Command results", () => {
  it("turns a VM green once a drill ran Run Command on its test VM, and leaves an undrilled one amber", async () => {
    const { drill, dc01, dc02 } = await drillThenHealthCheck();
    expect(drill.run.status).toBe("succeeded");
    expect(dc01).toMatchObject({ id: "vm/DC01/guestAgent", status: "green" });
    expect(dc01?.reason).toContain(drill.runId);
    expect(dc01?.reason).toContain("on DC01-test successfully");
    // One DC of two goes into the drill: nothing proves the other's agent.
    expect(dc02).toMatchObject({ status: "amber", reason: expect.stringContaining("no drill or failover in the last 90 days") });
    expect(dc02?.advice[0]?.steps.join(" ")).toContain("go.microsoft.com/fwlink/?LinkID=394789");
  });

  it("turns it red when the drill's Run Command failed because the recovered VM has no VM agent", async () => {
    const { drill, dc01 } = await drillThenHealthCheck({ noVmAgent: ["DC01"] });
    expect(drill.run.status).toBe("failed");
    expect(drill.step("checks:DC01").error).toMatch(/VMAgentStatusCommunicationError/);
    // Another try would wait Azure's ~25 min again: the step fails at once and names what to do.
    expect(drill.step("checks:DC01")).toMatchObject({ retries: 0, error: expect.stringContaining("install the agent in the vSphere VM") });
    expect(dc01).toMatchObject({ status: "red", advice: [expect.objectContaining({ id: "vm-agent-recovered" })] });
    expect(dc01?.reason).toMatch(new RegExp(`${drill.runId}.*DC01-test: the Azure VM agent did not report`));
    expect(drill.stack.azure.misuse).toEqual([]);
  });
});
