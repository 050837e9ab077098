import { describe, expect, it } from "vitest";
import { evaluateHealth } from "../../shared/domain/health/evaluateHealth.js";
import { readFailed, readOk, type RegionCapacity } from "../../shared/domain/health/healthSnapshot.js";
import { findLeftoverTestVms } from "../../shared/domain/health/leftoverTestVms.js";
import { judgeRegionCapacity } from "../../shared/domain/health/targetCapacity.js";
import { sampleEstate } from "../helpers.js";
import { buildSnapshot, NOW } from "./snapshotBuilder.js";

const estate = sampleEstate();
const run = { reportId: "health-test", trigger: "test", isPastDue: false, startedAt: NOW, finishedAt: NOW };

/** A region with room for `free` vCPUs of the Dsv5 family and in total, sizes as the spec example shapes them. */
function region(familyLimit: number, totalLimit: number, used = 4): RegionCapacity {
  return {
    usages: [
      { name: "cores", localizedName: "Total Regional vCPUs", currentValue: used, limit: totalLimit },
      { name: "standardDSv5Family", localizedName: "Standard DSv5 Family vCPUs", currentValue: used, limit: familyLimit },
    ],
    sizes: { standard_d4s_v5: { family: "standardDSv5Family", vCpus: 4 } },
  };
}

const estateCheck = (report: ReturnType<typeof evaluateHealth>, id: string) => report.estateChecks.find((c) => c.id === id);

describe("leftover test VMs", () => {
  it("are red while an item still offers TestFailoverCleanup (the spec example's state), naming the VMs and what to do", () => {
    const snapshot = buildSnapshot(estate, {
      item: (vm, item) =>
        vm.name === "WEB02" || vm.name === "REC01"
          ? { ...item, currentScenario: "TestFailover", allowedOperations: ["TestFailoverCleanup"], testFailoverState: "WaitingForCompletion" }
          : vm.name === "WEB03"
            ? { ...item, currentScenario: "TestFailover", allowedOperations: [] }
            : { ...item, allowedOperations: ["TestFailover", "UnplannedFailover"] },
    });
    const report = evaluateHealth(estate, snapshot, run);
    const check = estateCheck(report, "estate/leftoverTestVms");
    expect(check).toMatchObject({ status: "red", kind: "leftoverTestVms" });
    expect(check?.reason).toContain("2 test VM(s) not cleaned up (WEB02, REC01)");
    expect(check?.reason).toContain("1 test failover(s) still running (WEB03)");
    expect(check?.advice[0]?.steps.join(" ")).toMatch(/POST \/api\/runs\/<runId>\/cleanup/);
    expect(report.overall).toBe("red");
  });

  it("are green when no item holds a test failover, and unknown (never green) when a vault could not be read", () => {
    expect(estateCheck(evaluateHealth(estate, buildSnapshot(estate), run), "estate/leftoverTestVms")?.status).toBe("green");
    const unread = buildSnapshot(estate, { vault: (key, vault) => (key === "seasia" ? { ...vault, items: readFailed("forbidden") } : vault) });
    expect(estateCheck(evaluateHealth(estate, unread, run), "estate/leftoverTestVms")).toMatchObject({
      status: "unknown",
      reason: expect.stringMatching(/forbidden/),
    });
  });

  it("are found in items no estate VM claims too", () => {
    const found = findLeftoverTestVms({
      eastus: [{ ...buildItem("OLD01"), currentScenario: "TestFailover", allowedOperations: ["TestFailoverCleanup"] }],
    });
    expect(found).toEqual([{ vm: "OLD01", vaultKey: "eastus", item: "old01-vsphere", state: "awaitingCleanup" }]);
  });
});

function buildItem(name: string) {
  const vm = estate.vms[0];
  if (!vm) throw new Error("no VM");
  const item = buildSnapshot(estate).vaults[vm.vault]?.items;
  if (!item?.ok || !item.value[0]) throw new Error("no item");
  return { ...item.value[0], name: `${name.toLowerCase()}-vsphere`, friendlyName: name };
}

describe("target capacity", () => {
  it("fits: green, with the figures per family and in total", () => {
    const verdict = judgeRegionCapacity(
      "eastus",
      [
        { vm: "API01", region: "eastus", size: "Standard_D4s_v5" },
        { vm: "API02", region: "eastus", size: "Standard_D4s_v5" },
      ],
      region(100, 100),
    );
    expect(verdict).toMatchObject({ status: "green", shortfalls: [] });
    expect(verdict.reason).toContain("Standard DSv5 Family vCPUs 8 of 96 free");
  });

  it("short on the family quota: red, and says which limit to request", () => {
    const demands = ["A", "B", "C"].map((vm) => ({ vm, region: "eastus", size: "Standard_D4s_v5" }));
    const verdict = judgeRegionCapacity("eastus", demands, region(10, 100));
    expect(verdict.status).toBe("red");
    expect(verdict.shortfalls).toEqual([
      { region: "eastus", quota: "standardDSv5Family", localizedName: "Standard DSv5 Family vCPUs", limit: 10, currentValue: 4, needed: 12, requestLimit: 16 },
    ]);
  });

  it("short on the regional total while the family fits: red on 'cores'", () => {
    const verdict = judgeRegionCapacity("eastus", [{ vm: "A", region: "eastus", size: "Standard_D4s_v5" }], region(100, 6));
    expect(verdict.shortfalls.map((s) => [s.quota, s.requestLimit])).toEqual([["cores", 8]]);
  });

  it("a size the region does not offer, or offers under a restriction, is red; a missing usage row is unknown", () => {
    expect(judgeRegionCapacity("eastus", [{ vm: "A", region: "eastus", size: "Standard_M416ms_v2" }], region(100, 100))).toMatchObject({
      status: "red",
      reason: expect.stringMatching(/Standard_M416ms_v2 is not offered in eastus/),
    });
    const restricted: RegionCapacity = {
      ...region(100, 100),
      sizes: { standard_d4s_v5: { family: "standardDSv5Family", vCpus: 4, restricted: "NotAvailableForSubscription" } },
    };
    expect(judgeRegionCapacity("eastus", [{ vm: "A", region: "eastus", size: "Standard_D4s_v5" }], restricted).reason).toMatch(/NotAvailableForSubscription/);
    const noFamilyRow: RegionCapacity = { ...region(100, 100), usages: region(100, 100).usages.filter((u) => u.name === "cores") };
    expect(judgeRegionCapacity("eastus", [{ vm: "A", region: "eastus", size: "Standard_D4s_v5" }], noFamilyRow).status).toBe("unknown");
  });

  it("in the nightly report: one check per target region, VMs already running in Azure left out, with the request as advice", () => {
    const snapshot = {
      ...buildSnapshot(estate, { item: (vm, item) => (vm.name === "API01" ? { ...item, activeLocation: "Recovery" } : item) }),
      capacity: { eastus: readOk(region(20, 100)), southeastasia: readFailed<RegionCapacity>("forbidden: the Function App's identity lacks read access") },
    };
    const report = evaluateHealth(estate, snapshot, run);
    const eastus = estateCheck(report, "estate/capacity/eastus");
    const eastusVms = estate.vms.filter((vm) => estate.vaults[vm.vault]?.region === "eastus").length;
    expect(eastus).toMatchObject({ status: "red", reason: expect.stringContaining(`${eastusVms - 1} VM(s) would fail over to eastus`) });
    expect(eastus?.advice[0]?.steps[0]).toBe(
      `In eastus, raise 'Standard DSv5 Family vCPUs' from 20 to at least ${4 + (eastusVms - 1) * 4} (portal: Quotas > Compute, or a support request 'Service and subscription limits (quotas)').`,
    );
    expect(estateCheck(report, "estate/capacity/southeastasia")).toMatchObject({ status: "unknown", reason: expect.stringMatching(/forbidden/) });
  });
});
