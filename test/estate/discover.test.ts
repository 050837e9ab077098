import { writeFileSync } from "node:fs";
import path from "node:path";
import { CredentialUnavailableError } from "@azure/identity";
import { describe, expect, it } from "vitest";
import { runEstateCli } from "../../local/estate/cli.js";
import { discoverToFile, requestFor, simulatedDiscovery } from "../../local/estate/discoverCommand.js";
import { createDiscoveryClients } from "../../shared/adapters/estateDiscovery.js";
import { parseEstate, type Estate } from "../../shared/domain/estate.js";
import type { Plan } from "../../shared/domain/plan.js";
import { planFailover } from "../../shared/domain/planFailover.js";
import { sampleEstate } from "../helpers.js";
import { capturingIo, confirmLikeAPerson, readJson, scratchDir } from "./estateFixtures.js";

const FIXED = { now: () => new Date("2026-03-02T09:00:00Z") };

/** A plan as a set: the order of tiers and records in the file does not change what runs when. */
function normalised(plan: Plan): unknown {
  return {
    mode: plan.mode,
    steps: [...plan.steps].map((s) => ({ ...s, dependsOn: [...s.dependsOn].sort() })).sort((a, b) => a.id.localeCompare(b.id)),
    notes: [...plan.notes].sort(),
  };
}

async function discoverSample(options: Parameters<typeof simulatedDiscovery>[1] = {}, request?: (estate: Estate) => ReturnType<typeof requestFor>) {
  const estate = sampleEstate();
  const { sim, clients, request: asked } = simulatedDiscovery(estate, { clock: FIXED, ...options });
  const out = path.join(scratchDir(), "estate.json");
  const result = await discoverToFile({ clients, request: request ? request(estate) : asked, out, clock: FIXED });
  return { sim, result, out };
}

describe("estate discover against the simulated Azure (real SDK clients, reads only)", () => {
  it("drafts the sample's vaults, VMs, records and route; confirmed like a person would, it validates and plans the sample's failover", async () => {
    const { sim, result, out } = await discoverSample();
    expect(sim.stats().writes).toBe(0);
    expect(sim.misuse).toEqual([]);
    expect(result.draft.incomplete).toEqual([]);
    const draft = readJson(out) as { vms: { name: string; recoveryIp: string; onPremisesIp?: string; role?: string }[]; routes: unknown[]; $schema: string };
    expect(draft.vms.map((vm) => vm.name)).toEqual(sampleEstate().vms.map((vm) => vm.name));
    // Each VM's vSphere address, from its item's primary vmNics[].sourceIPAddress: what the failback probes.
    expect(draft.vms.map((vm) => vm.onPremisesIp)).toEqual(sampleEstate().vms.map((vm) => vm.onPremisesIp));
    expect(draft.vms.filter((vm) => vm.role === "domainController").map((vm) => vm.name)).toEqual(["DC01", "DC02"]);
    const vaults = (readJson(out) as { vaults: Record<string, { recoveryNetworkIds: string[] }> }).vaults;
    expect(Object.values(vaults).map((v) => v.recoveryNetworkIds)).toEqual(Object.values(sampleEstate().vaults).map((v) => v.recoveryNetworkIds));
    expect(draft.routes).toEqual([
      {
        tier: "edge",
        resourceGroup: "rg-contoso-dr-eastus",
        routeTable: "rt-app-eastus",
        route: "default-via-nat",
        addressPrefix: "0.0.0.0/0",
        nextHopVm: "NAT01",
      },
    ]);
    // Until a person confirms, the draft does not load, and says why, path by path.
    const io = capturingIo();
    expect(await runEstateCli(["validate", out], io)).toBe(1);
    expect(io.errors.join("\n")).toMatch(/targetDomainController: to confirm \(draft\.confirm\[\d+\]\)/);
    expect(io.errors.join("\n")).toMatch(/tiers\[\d+\]: to confirm/);

    writeFileSync(out, JSON.stringify(confirmLikeAPerson(readJson(out)), null, 2));
    const after = capturingIo();
    expect(await runEstateCli(["validate", out], after)).toBe(0);
    const confirmed = parseEstate(readJson(out));
    for (const mode of ["unplanned", "test"] as const) {
      const request = { mode, scope: { kind: "all" } } as const;
      expect(normalised(planFailover(confirmed, request))).toEqual(normalised(planFailover(sampleEstate(), request)));
    }
    const plan = capturingIo();
    expect(await runEstateCli(["plan", out], plan)).toBe(0);
    expect(plan.lines.join("\n")).toMatch(/RTO estimate {3}about \d+ min with typical ASR job durations \(target 60 min: within\)/);
  });

  it("run again on the edited file, keeps the person's choices and reports what changed in Azure", async () => {
    const { out } = await discoverSample();
    writeFileSync(out, JSON.stringify(confirmLikeAPerson(readJson(out)), null, 2));
    // Someone gave API01 another target address in ASR since.
    const moved = sampleEstate();
    const changedEstate = parseEstate({
      ...structuredClone(moved),
      vms: moved.vms.map((vm) => (vm.name === "API01" ? { ...vm, recoveryIp: "10.50.2.99" } : vm)),
    });
    const { sim, clients, request } = simulatedDiscovery(changedEstate, { clock: FIXED });
    const again = await discoverToFile({ clients, request, out, clock: FIXED });
    expect(sim.stats().writes).toBe(0);
    expect(again.changes).toEqual(["API01: recoveryIp 10.50.2.10 -> 10.50.2.99"]);
    const refreshed = readJson(out) as { tiers: { name: string; healthProbe?: unknown }[]; vms: { name: string; tier: string; recoveryIp: string }[] };
    expect(refreshed.tiers.map((t) => t.name)).toContain("recommendation");
    expect(refreshed.tiers.find((t) => t.name === "api")?.healthProbe).toEqual({ port: 443, path: "/health", scheme: "https" });
    expect(refreshed.vms.find((vm) => vm.name === "API01")).toMatchObject({ tier: "api", recoveryIp: "10.50.2.99" });
    expect(again.draft.confirm).toEqual([]);
  });
});

describe("estate discover with bad input: a clear message, the draft written and marked incomplete, nothing written to Azure", () => {
  it("without a credential: says how to sign in", async () => {
    const estate = sampleEstate();
    const { sim } = simulatedDiscovery(estate, { clock: FIXED });
    const noCredential = { getToken: () => Promise.reject(new CredentialUnavailableError("EnvironmentCredential is unavailable. No credential found.")) };
    const clients = createDiscoveryClients(noCredential, estate.subscriptionId, { httpClient: sim.httpClient });
    const out = path.join(scratchDir(), "estate.json");
    const result = await discoverToFile({ clients, request: requestFor(estate), out, clock: FIXED });
    expect(result.draft.incomplete).toEqual([{ where: "Azure", problem: expect.stringMatching(/^no Azure credential could sign in .*run `az login`/) }]);
    expect((readJson(out)["draft"] as { incomplete: unknown[] }).incomplete).toHaveLength(1);
    expect(sim.stats().writes).toBe(0);
  });

  it("an unreachable vault (a wrong name): names it and what to check; the other vault is still read", async () => {
    const { sim, result } = await discoverSample({}, (estate) => ({
      ...requestFor(estate),
      vaults: [
        { resourceGroup: "rg-contoso-dr-eastus", name: "rsv-contoso-dr-eastus" },
        { resourceGroup: "rg-contoso-dr-seasia", name: "rsv-typo" },
      ],
    }));
    expect(result.draft.incomplete).toEqual([
      {
        where: "vault 'rsv-typo' (resource group rg-contoso-dr-seasia)",
        problem: expect.stringMatching(/^not found \(ResourceNotFound\): check the resource group, the name and the subscription/),
      },
    ]);
    expect(result.vms).toBe(12);
    expect(sim.stats().writes).toBe(0);
  });

  it("a vault of the retired classic kind: tells to move to the modernized appliance", async () => {
    const { sim, result } = await discoverSample({ faults: { discovery: { classicVaults: ["seasia"] } } });
    expect(result.draft.incomplete).toEqual([
      {
        where: "vault 'rsv-contoso-dr-seasia' (resource group rg-contoso-dr-seasia)",
        problem: expect.stringContaining(
          "classic architecture (Configuration Server, InMageAzureV2), retired on 30 March 2026: move the VMs to the modernized replication appliance",
        ),
      },
    ]);
    expect(result.vms).toBe(12);
    expect(sim.stats().writes).toBe(0);
  });

  it("an item that is not VMware: leaves it out and says which", async () => {
    const { sim, result } = await discoverSample({ faults: { discovery: { foreignItems: [{ vault: "eastus", name: "hv-sql01", friendlyName: "SQL01" }] } } });
    expect(result.draft.incomplete).toEqual([
      {
        where: "'SQL01' (item hv-sql01) in vault 'rsv-contoso-dr-eastus' (resource group rg-contoso-dr-eastus)",
        problem: expect.stringContaining("replicated with 'HyperVReplicaAzure', not VMware"),
      },
    ]);
    expect(result.vms).toBe(16);
    expect(sim.stats().writes).toBe(0);
  });

  it("a permission the reader lacks (the app's own roles cannot list route tables): names the action and the role to grant", async () => {
    const { sim, result, out } = await discoverSample({ readerRole: false });
    expect(result.draft.incomplete).toEqual([
      {
        where: "the route tables of the subscription",
        problem: expect.stringMatching(
          /^permission missing \(.*'Microsoft\.Network\/routeTables\/read' over scope '\/subscriptions\/[^']+'.*\): give the signed-in account the Reader role/,
        ),
      },
    ]);
    expect(readJson(out)["routes"]).toEqual([]);
    expect(sim.stats().writes).toBe(0);
  });
});
