import { describe, expect, it } from "vitest";
import type { FailoverRequest, Step } from "../../shared/domain/plan.js";
import { planFailover, PlanError } from "../../shared/domain/planFailover.js";
import { sampleEstate, sampleEstateJson } from "../helpers.js";
import { parseEstate } from "../../shared/domain/estate.js";

const estate = { ...sampleEstate(), activeDirectoryDns: [] };
const failback = (request: Partial<FailoverRequest> = {}): FailoverRequest => ({
  mode: "failback",
  scope: { kind: "all" },
  failoverRunId: "run-1",
  ...request,
});
const byId = (steps: readonly Step[]) => new Map(steps.map((s) => [s.id, s]));

describe("planFailover, mode failback", () => {
  it("waits for every VM's replication back, then one approval, the target DC, each tier in dependency order, commits and reprotects towards Azure", () => {
    const plan = planFailover(estate, failback());
    const steps = byId(plan.steps);
    const vms = estate.vms.map((vm) => vm.name);
    expect(plan.mode).toBe("failback");
    for (const vm of vms) expect(steps.get(`await-failback-replication:${vm}`)).toMatchObject({ kind: "awaitFailbackReplication", dependsOn: [], vm });
    expect(steps.get("await-approve")).toEqual({
      kind: "awaitDecision",
      id: "await-approve",
      decision: "approve",
      target: "approve",
      dependsOn: vms.map((vm) => `await-failback-replication:${vm}`),
    });
    expect(steps.get("verify-dc")).toMatchObject({ kind: "verifyTargetDc", dependsOn: ["await-approve"] });
    expect(steps.get("failback:DC01")).toEqual({
      kind: "plannedFailback",
      id: "failback:DC01",
      dependsOn: ["verify-dc"],
      tier: "identity",
      target: "DC01",
      vm: "DC01",
      recoveryPointType: "ApplicationConsistent",
    });
    expect(steps.get("failback:NAT01")?.dependsOn).toEqual(["tier-ready:identity"]);
    expect(steps.get("failback:API01")?.dependsOn).toEqual(["tier-ready:edge"]);
    expect(steps.get("failback:WEB01")?.dependsOn).toEqual(["tier-ready:api"]);
    expect(steps.get("failback:REC01")?.dependsOn).toEqual(["tier-ready:api"]);
    // The NAT's application answers on vSphere before the route goes back to it.
    expect(steps.get("restore-route:rt-app-eastus:default-via-nat")).toEqual({
      kind: "restoreRoute",
      id: "restore-route:rt-app-eastus:default-via-nat",
      dependsOn: ["probe-on-premises:NAT01"],
      tier: "edge",
      target: "rt-app-eastus/default-via-nat",
      routeTable: "rt-app-eastus",
      route: "default-via-nat",
      failoverRunId: "run-1",
    });
    expect(steps.get("probe-on-premises:NAT01")).toEqual({
      kind: "healthProbe",
      id: "probe-on-premises:NAT01",
      dependsOn: ["failback:NAT01"],
      tier: "edge",
      target: "NAT01",
      vm: "NAT01",
      url: "http://192.168.100.4:8080/healthz",
    });
    expect(steps.get("probe-on-premises:API01")).toMatchObject({ dependsOn: ["failback:API01"], url: "https://192.168.30.13:443/health" });
    expect(steps.get("restore-dns:public:contoso.com:api")).toMatchObject({
      kind: "restoreDns",
      zoneType: "public",
      zone: "contoso.com",
      name: "api",
      failoverRunId: "run-1",
      dependsOn: ["API01", "API02", "API03", "API04", "API05", "API06"].map((vm) => `probe-on-premises:${vm}`),
    });
    // The identity tier has no health probe: its DCs' planned failovers are its gates.
    expect(steps.get("tier-ready:identity")?.dependsOn).toEqual(["failback:DC01", "failback:DC02"]);
    expect(steps.get("tier-ready:edge")?.dependsOn).toEqual([
      "probe-on-premises:NAT01",
      "restore-route:rt-app-eastus:default-via-nat",
      "restore-dns:private:corp.contoso.internal:egress",
    ]);
    const tiersReady = estate.tiers.map((t) => `tier-ready:${t.name}`);
    for (const vm of vms) {
      expect(steps.get(`commit:${vm}`)).toMatchObject({ kind: "commit", dependsOn: tiersReady });
      expect(steps.get(`reprotect-azure:${vm}`)).toMatchObject({ kind: "reprotectToAzure", dependsOn: [`commit:${vm}`], vm });
    }
    expect(steps.get("notify-complete")?.dependsOn).toEqual(vms.map((vm) => `reprotect-azure:${vm}`));
    // No in-guest checks: the VMs run on vSphere after their planned failover; each VM of a tier with a health probe is probed there.
    expect(plan.steps.filter((s) => ["guestChecks", "failover", "updateDns", "updateRoute"].includes(s.kind))).toEqual([]);
    const probed = estate.vms.filter((vm) => estate.tiers.find((t) => t.name === vm.tier)?.healthProbe).map((vm) => `probe-on-premises:${vm.name}`);
    expect(plan.steps.filter((s) => s.kind === "healthProbe").map((s) => s.id)).toEqual(probed);
    expect(plan.notes.join(" ")).toMatch(/Run Command/);
    expect(plan.notes.join(" ")).not.toMatch(/not probed on vSphere/);
    // Every dependency names a step listed before it: the plan is a DAG in order.
    const seen = new Set<string>();
    for (const step of plan.steps) {
      for (const dep of step.dependsOn) expect(seen.has(dep), `${step.id} -> ${dep}`).toBe(true);
      seen.add(step.id);
    }
    expect(new Set(plan.steps.map((s) => s.id)).size).toBe(plan.steps.length);
  });

  it("without an onPremisesIp a VM is not probed on vSphere: its planned failover gates the tier's names, and the plan says so", () => {
    const unnamed = { ...estate, vms: estate.vms.map((vm) => (vm.name === "WEB02" ? { ...vm, onPremisesIp: undefined } : vm)) };
    const plan = planFailover(unnamed, failback());
    const steps = byId(plan.steps);
    expect(steps.has("probe-on-premises:WEB02")).toBe(false);
    expect(steps.get("restore-dns:public:contoso.com:www")?.dependsOn).toEqual(["probe-on-premises:WEB01", "failback:WEB02", "probe-on-premises:WEB03"]);
    expect(plan.notes).toContain(
      "Tier 'web': WEB02 name(s) no onPremisesIp, so their application is not probed on vSphere before the tier's names and routes go back.",
    );
  });

  it("fails back a part of a tier without touching its names and routes, and takes the failback point asked for", () => {
    const plan = planFailover(estate, failback({ scope: { kind: "vms", vms: ["API01"] }, failbackPoint: "CrashConsistent" }));
    expect(plan.steps.map((s) => s.id)).toEqual([
      "await-failback-replication:API01",
      "await-approve",
      "verify-dc",
      "failback:API01",
      "probe-on-premises:API01",
      "tier-ready:api",
      "commit:API01",
      "reprotect-azure:API01",
      "notify-complete",
    ]);
    expect(byId(plan.steps).get("failback:API01")).toMatchObject({ recoveryPointType: "CrashConsistent" });
    expect(plan.notes).toContain("Tier 'api' is only partly in scope: its routes and DNS records are left as the failover set them.");
  });

  it("is a PlanError naming the field: no failover run, a recovery point, an unknown scope, a vault without failbackReprotect", () => {
    const problem = (request: FailoverRequest, e = estate) => {
      try {
        planFailover(e, request);
      } catch (error) {
        expect(error).toBeInstanceOf(PlanError);
        return (error as Error).message.split(":")[0];
      }
      return "planned";
    };
    const { failoverRunId: _omit, ...withoutRun } = failback();
    expect(problem(withoutRun)).toBe("failoverRunId");
    expect(problem(failback({ recoveryPoint: "latest" }))).toBe("recoveryPoint");
    expect(problem(failback({ scope: { kind: "tiers", tiers: ["payments"] } }))).toBe("scope.tiers");
    expect(problem(failback({ scope: { kind: "vms", vms: ["WEB09"] } }))).toBe("scope.vms");
    const json = sampleEstateJson() as { vaults: Record<string, Record<string, unknown>> };
    delete json.vaults["seasia"]?.["failbackReprotect"];
    const withoutSettings = { ...parseEstate(json), activeDirectoryDns: [] };
    expect(problem(failback(), withoutSettings)).toBe("vaults.seasia.failbackReprotect");
    expect(problem(failback({ scope: { kind: "tiers", tiers: ["web"] } }), withoutSettings)).toBe("planned");
  });
});
