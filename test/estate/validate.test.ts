import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runEstateCli } from "../../local/estate/cli.js";
import { estimateRto } from "../../shared/domain/estimateRto.js";
import { planFailover } from "../../shared/domain/planFailover.js";
import { sampleEstate, sampleEstateJson } from "../helpers.js";
import { capturingIo, scratchDir } from "./estateFixtures.js";

type Obj = Record<string, unknown>;
type Json = Obj & { vms: Obj[]; tiers: Obj[]; routes: Obj[]; alerting: Obj & { natVm: Obj }; objectives: Obj };

function writeEstate(mutate: (json: Json) => void): string {
  const json = sampleEstateJson() as Json;
  mutate(json);
  const file = path.join(scratchDir(), "estate.json");
  writeFileSync(file, JSON.stringify(json, null, 2));
  return file;
}

async function validate(file: string): Promise<{ code: number; problems: string[] }> {
  const io = capturingIo();
  const code = await runEstateCli(["validate", file], io);
  return { code, problems: io.errors.filter((l) => l.startsWith("  - ")).map((l) => l.slice(4)) };
}

describe("estate validate: every problem in one pass, each with its JSON path", () => {
  it("names shape mistakes, references, a cycle and draft entries together", async () => {
    const file = writeEstate((json) => {
      json.vms[3] = { ...json.vms[3], recoveryIp: "10.50.2.300" };
      json.vms[4] = { ...json.vms[4], tier: "apps" };
      json.tiers[0] = { ...json.tiers[0], dependsOn: ["web"] };
      json.tiers[4] = { ...json.tiers[4], healthProbe: { port: 8501, path: "v1/models" } };
      json.routes[0] = { ...json.routes[0], nextHopVm: "NAT09" };
      json["draft"] = { confirm: [{ path: "database", why: "the database host is a guess" }] };
    });
    const { code, problems } = await validate(file);
    expect(code).toBe(1);
    expect(problems).toEqual([
      `tiers[4].healthProbe.path: Invalid string: must start with "/"`,
      "vms[3].recoveryIp: Invalid IPv4 address",
      "database: to confirm (draft.confirm[0]): the database host is a guess; then delete the entry",
      "tiers: dependency cycle identity -> web -> api -> edge -> identity",
      "vms[4].tier: unknown tier 'apps'",
      "routes[0].nextHopVm: unknown VM 'NAT09'",
    ]);
  });

  it("checks what the estate means: routes through the NAT, DC checks on DCs, an RTO the plan can meet", async () => {
    const file = writeEstate((json) => {
      json.tiers[0] = { ...json.tiers[0], guestChecks: [] };
      json.alerting.natVm = { ...json.alerting.natVm, vm: "DC01" };
      json.objectives = { ...json.objectives, rtoMinutes: 20 };
    });
    const { code, problems } = await validate(file);
    expect(code).toBe(1);
    expect(problems).toEqual([
      "routes[0].nextHopVm: 'NAT01' is not the NAT/firewall VM (alerting.natVm.vm is 'DC01'): after failover the route would send its traffic to a VM that does not forward it",
      "tiers[0].guestChecks: tier 'identity' holds domain controllers (DC01, DC02) but no 'domainController' check: add it, so a DC that does not serve the domain stops the failover before its members start",
      expect.stringMatching(/^objectives\.rtoMinutes: 20 min cannot be met: with typical ASR job durations the failover's critical path takes about \d+ min/),
    ]);
  });

  it("accepts the sample estate and estimates its RTO within the hour along the tiers' chain", async () => {
    const io = capturingIo();
    expect(await runEstateCli(["validate", "estate/sample-estate.json"], io)).toBe(0);
    expect(io.lines).toEqual(["estate/sample-estate.json is valid: 16 VMs in 5 tiers, 2 vault(s)."]);
    const estimate = estimateRto(planFailover(sampleEstate(), { mode: "unplanned", scope: { kind: "all" } }));
    expect(estimate.criticalPath[0]).toBe("verify-dc");
    expect(estimate.criticalPath.at(-1)).toBe("notify-complete");
    expect(estimate.seconds).toBeLessThan(60 * 60);
    expect(estimate.seconds).toBeGreaterThan(4 * 600);
  });

  it("a wrong command line exits 2 with the command's usage; --help shows each command's", async () => {
    for (const argv of [
      ["validate"],
      ["validate", "a.json", "--strict"],
      ["discover"],
      ["plan", "estate/sample-estate.json", "--mode", "planned"],
      ["nonsense"],
    ]) {
      const io = capturingIo();
      expect(await runEstateCli(argv, io), argv.join(" ")).toBe(2);
      expect(io.errors.join("\n")).toMatch(/Usage: npm run estate -- /);
    }
    for (const command of ["discover", "validate", "plan", "schema"]) {
      const io = capturingIo();
      expect(await runEstateCli([command, "--help"], io)).toBe(0);
      expect(io.lines.join("\n")).toMatch(new RegExp(`^Usage: npm run estate -- ${command}`));
    }
  });
});
