import { describe, expect, it } from "vitest";
import { previewRun } from "../../shared/runs/runPreview.js";
import { sampleEstate } from "../helpers.js";
import { simulatedHealthCheck } from "./simulatedHealthCheck.js";

const estate = sampleEstate();

describe("target capacity through the Compute SDK and the simulated Azure", () => {
  it("reads each target region's quotas and SKUs once, under the deployed quota reader role, and says what to request", async () => {
    // East US's Dsv5 family allows 40 vCPUs; the target DC already uses 4 of them.
    const { local, report } = await simulatedHealthCheck(estate, { vcpuQuota: { eastus: { standardDSv5Family: 40 } } }, "capacity");
    const eastus = report.estateChecks.find((c) => c.id === "estate/capacity/eastus");
    const eastusVms = estate.vms.filter((vm) => estate.vaults[vm.vault]?.region === "eastus").length;
    expect(eastus).toMatchObject({
      status: "red",
      reason: expect.stringContaining(`Standard DSv5 Family vCPUs: a failover needs ${eastusVms * 4} vCPUs, 36 are free (4 used of 40)`),
    });
    expect(eastus?.advice[0]?.steps[0]).toContain(`raise 'Standard DSv5 Family vCPUs' from 40 to at least ${4 + eastusVms * 4}`);
    expect(report.estateChecks.find((c) => c.id === "estate/capacity/southeastasia")?.status).toBe("green");
    const ops = local.azure.stats().byOperation;
    expect([ops["Usage_List"], ops["ResourceSkus_List"]]).toEqual([2, 2]);
    expect(local.azure.misuse).toEqual([]);

    // The dry run of a failover says the same before anything starts, for the VMs it would create.
    const preview = await previewRun(
      { estate, clock: local.clock, ...local.app.runApi.reads },
      { mode: "unplanned", scope: { kind: "tiers", tiers: ["api", "web"] } },
    );
    expect(preview.capacity).toEqual([
      expect.objectContaining({ region: "eastus", status: "green", reason: expect.stringContaining("9 VM(s) would fail over to eastus with 36 vCPUs") }),
    ]);
    const whole = await previewRun({ estate, clock: local.clock, ...local.app.runApi.reads }, { mode: "test", scope: { kind: "all" } });
    expect(whole.capacity?.map((c) => [c.region, c.status])).toEqual([
      ["eastus", "red"],
      ["southeastasia", "green"],
    ]);
    // Only the VMs the drill's plan fails over count (its failover steps).
    const created = whole.steps.filter(
      (s) => s.kind === "failover" && estate.vaults[estate.vms.find((vm) => vm.name === s.target)?.vault ?? ""]?.region === "eastus",
    );
    expect(whole.capacity?.[0]?.request[0]).toContain(`from 40 to at least ${4 + created.length * 4}`);
    expect(local.azure.misuse).toEqual([]);
  }, 60_000);
});
