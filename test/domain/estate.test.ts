import { describe, expect, it } from "vitest";
import { parseEstate } from "../../shared/domain/estate.js";
import { estateProblems, sampleEstateJson } from "../helpers.js";

const problemsOf = estateProblems;

describe("parseEstate", () => {
  it("accepts the sample estate: 16 VMs in five tiers over two vaults", () => {
    const estate = parseEstate(sampleEstateJson());
    expect(estate.vms).toHaveLength(16);
    expect(estate.tiers.map((t) => t.name)).toEqual(["identity", "edge", "api", "web", "recommendation"]);
    expect(new Set(estate.vms.filter((vm) => vm.tier === "recommendation").map((vm) => estate.vaults[vm.vault]?.region))).toEqual(new Set(["southeastasia"]));
    expect(Object.isFrozen(estate.vms[0])).toBe(true);
  });

  it("lists every problem with its path, schema and cross-reference alike", () => {
    const json = sampleEstateJson() as { vms: Record<string, unknown>[]; tiers: Record<string, unknown>[]; objectives: Record<string, unknown> };
    json.objectives.rtoMinutes = -5;
    json.vms[0] = { ...json.vms[0], recoveryIp: "not-an-ip" };
    json.vms[1] = { ...json.vms[1], vault: "westeurope" };
    json.tiers[0] = { ...json.tiers[0], dependsOn: ["web"] };
    json.tiers[1] = { ...json.tiers[1], dependsOnn: [] };
    const problems = problemsOf(json);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^objectives\.rtoMinutes: /),
        expect.stringMatching(/^vms\[0\]\.recoveryIp: /),
        expect.stringMatching(/^tiers\[1\]: .*dependsOnn/),
      ]),
    );
  });

  it("reports unknown vaults and dependency cycles once the shape is right", () => {
    const json = sampleEstateJson() as { vms: Record<string, unknown>[]; tiers: Record<string, unknown>[] };
    json.vms[1] = { ...json.vms[1], vault: "westeurope" };
    json.tiers[0] = { ...json.tiers[0], dependsOn: ["web"] };
    const problems = problemsOf(json);
    expect(problems).toContain("vms[1].vault: unknown vault 'westeurope'");
    expect(problems.some((p) => p.startsWith("tiers: dependency cycle") && p.includes("identity"))).toBe(true);
  });

  it("rejects duplicate VMs, a tier without VMs and a secure-channel check on Linux", () => {
    const json = sampleEstateJson() as { vms: Record<string, unknown>[]; tiers: Record<string, unknown>[] };
    json.vms.push({ ...json.vms[0], protectedItem: "other" });
    json.tiers.push({ name: "batch", dependsOn: [], guestChecks: [] });
    json.tiers[3] = { ...json.tiers[3], guestChecks: ["domainSecureChannel"] };
    const problems = problemsOf(json);
    expect(problems).toContain("vms[16].name: duplicate VM 'DC01'");
    expect(problems).toContain("tiers[5]: tier 'batch' has no VMs");
    expect(problems.some((p) => p.startsWith("tiers[3].guestChecks: domainSecureChannel needs Windows"))).toBe(true);
  });

  it("refuses two VMs at one on-premises address: the failback probes each VM there", () => {
    const json = sampleEstateJson() as { vms: Record<string, unknown>[] };
    json.vms[4] = { ...json.vms[4], onPremisesIp: json.vms[3]?.["onPremisesIp"] };
    expect(problemsOf(json)).toEqual(["vms[4].onPremisesIp: 192.168.30.13 is API01's too: the failback would take one VM's answer for the other's"]);
  });

  it("refuses the secure-channel check on domain controllers and DC checks on members: DCs get DC checks", () => {
    const json = sampleEstateJson() as { tiers: Record<string, unknown>[]; vms: Record<string, unknown>[] };
    json.tiers[0] = { ...json.tiers[0], guestChecks: ["domainSecureChannel"] };
    json.tiers[2] = { ...json.tiers[2], guestChecks: ["domainController"] };
    const problems = problemsOf(json);
    expect(problems.some((p) => p.startsWith("tiers[0].guestChecks: domainSecureChannel gives false failures on domain controllers (DC01, DC02)"))).toBe(true);
    expect(problems.some((p) => p.startsWith("tiers[2].guestChecks: domainController checks domain controllers, but tier 'api' also has API01"))).toBe(true);
  });

  it("tells an estate on the retired classic architecture to move to the modernized appliance", () => {
    const json = sampleEstateJson() as { vaults: Record<string, Record<string, unknown>> };
    json.vaults["eastus"] = { ...json.vaults["eastus"], provider: "InMageAzureV2" };
    expect(problemsOf(json)).toContain(
      "vaults.eastus.provider: the classic architecture (Configuration Server, InMageAzureV2) was retired on 30 March 2026: move the VMs to the modernized replication appliance (InMageRcm) and set provider to 'InMageRcm'",
    );
  });

  it("names a drill DC that is not a domain controller", () => {
    const json = { ...sampleEstateJson(), drill: { domainController: "API01" } };
    expect(problemsOf(json)).toContain("drill.domainController: 'API01' is not a VM with role 'domainController'");
  });
});
