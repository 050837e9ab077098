import { describe, expect, it } from "vitest";
import { EstateConfigError, parseEstate } from "../../shared/domain/estate.js";
import { sampleEstateJson } from "../helpers.js";

function problemsOf(input: unknown): readonly string[] {
  try {
    parseEstate(input);
  } catch (error) {
    if (error instanceof EstateConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected the estate to be rejected");
}

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
});
