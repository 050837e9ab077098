import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseEstate, type Estate } from "../../shared/domain/estate.js";
import type { FailoverRequest, Plan, Scope } from "../../shared/domain/plan.js";
import { PlanError, planFailover } from "../../shared/domain/planFailover.js";
import { sampleEstate, sampleEstateJson } from "../helpers.js";

/** A two-tier estate small enough to write its whole plan down. */
function tinyEstate(): Estate {
  const base = sampleEstateJson();
  const id = (n: string) => `/subscriptions/${String(base.subscriptionId)}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${n}`;
  return parseEstate({
    ...base,
    tiers: [
      { name: "identity", guestChecks: ["domainController"] },
      { name: "web", dependsOn: ["identity"], healthProbe: { port: 80, path: "/healthz" } },
    ],
    vms: [
      {
        name: "DC01",
        tier: "identity",
        vault: "eastus",
        protectedItem: "dc01",
        os: "windows",
        role: "domainController",
        recoveryVmId: id("DC01"),
        recoveryIp: "10.0.1.10",
      },
      { name: "WEB01", tier: "web", vault: "eastus", protectedItem: "web01", os: "linux", recoveryVmId: id("WEB01"), recoveryIp: "10.0.3.10" },
    ],
    dns: [{ tier: "web", zoneType: "public", resourceGroup: "rg", zone: "contoso.com", name: "www", failoverAddresses: ["20.0.0.1"], ttl: 300 }],
    activeDirectoryDns: [],
    routes: [],
    alerting: { ...(base.alerting as Record<string, unknown>), natVm: { vm: "WEB01", heartbeatComputer: "WEB01" } },
  });
}

describe("planFailover", () => {
  it("plans the tiny estate step by step", () => {
    const plan = planFailover(tinyEstate(), { mode: "unplanned", scope: { kind: "all" } });
    expect(plan).toEqual<Plan>({
      mode: "unplanned",
      notes: [],
      steps: [
        { kind: "verifyTargetDc", id: "verify-dc", dependsOn: [], target: "target-dc" },
        {
          kind: "failover",
          id: "failover:DC01",
          dependsOn: ["verify-dc"],
          tier: "identity",
          target: "DC01",
          vm: "DC01",
          mode: "unplanned",
          recoveryPoint: "latest",
        },
        { kind: "guestChecks", id: "checks:DC01", dependsOn: ["failover:DC01"], tier: "identity", target: "DC01", vm: "DC01", checks: ["domainController"] },
        { kind: "tierReady", id: "tier-ready:identity", dependsOn: ["checks:DC01"], tier: "identity", target: "identity" },
        {
          kind: "failover",
          id: "failover:WEB01",
          dependsOn: ["tier-ready:identity"],
          tier: "web",
          target: "WEB01",
          vm: "WEB01",
          mode: "unplanned",
          recoveryPoint: "latest",
        },
        {
          kind: "healthProbe",
          id: "probe:WEB01",
          dependsOn: ["failover:WEB01"],
          tier: "web",
          target: "WEB01",
          vm: "WEB01",
          url: "http://10.0.3.10:80/healthz",
        },
        {
          kind: "updateDns",
          id: "dns:public:contoso.com:www",
          dependsOn: ["probe:WEB01"],
          tier: "web",
          target: "www.contoso.com",
          zoneType: "public",
          zone: "contoso.com",
          name: "www",
          addresses: ["20.0.0.1"],
        },
        { kind: "tierReady", id: "tier-ready:web", dependsOn: ["probe:WEB01", "dns:public:contoso.com:www"], tier: "web", target: "web" },
        { kind: "commit", id: "commit:DC01", dependsOn: ["tier-ready:identity", "tier-ready:web"], tier: "identity", target: "DC01", vm: "DC01" },
        { kind: "commit", id: "commit:WEB01", dependsOn: ["tier-ready:identity", "tier-ready:web"], tier: "web", target: "WEB01", vm: "WEB01" },
        { kind: "notify", id: "notify-complete", dependsOn: ["commit:DC01", "commit:WEB01"], target: "run", event: "runCompleted" },
      ],
    });
  });

  it("keeps a test failover away from production DNS and routes, probes in-guest, and cleans up", () => {
    const plan = planFailover(sampleEstate(), { mode: "test", scope: { kind: "all" } });
    const kinds = new Set(plan.steps.map((s) => s.kind));
    expect(kinds.has("updateDns")).toBe(false);
    expect(kinds.has("updateRoute")).toBe(false);
    expect(kinds.has("commit")).toBe(false);
    // One DC of two goes into the isolated network (Microsoft's guidance for AD with Site Recovery).
    expect(plan.steps.filter((s) => s.kind === "cleanupTestFailover")).toHaveLength(15);
    expect(plan.steps.some((s) => s.id === "failover:DC02")).toBe(false);
    expect(plan.steps.find((s) => s.id === "checks:DC01")).toMatchObject({ kind: "guestChecks", checks: ["domainController"] });
    expect(plan.notes).toContain(
      "Drill: only DC01 of the domain controllers goes into the isolated test network (one DC per drill, as Microsoft advises for AD); DC02 stay(s) out.",
    );
    expect(plan.steps.some((s) => s.kind === "healthProbe")).toBe(false);
    expect(plan.steps.find((s) => s.id === "checks:WEB01")).toMatchObject({ kind: "guestChecks", checks: [], httpProbeUrl: "http://10.50.3.10:80/healthz" });
    expect(plan.notes).toContain("Test failover: routes and DNS of tier 'web' stay on production values.");
  });

  it("leaves a partly scoped tier's DNS alone and says so", () => {
    const plan = planFailover(sampleEstate(), { mode: "unplanned", scope: { kind: "vms", vms: ["API01", "WEB01"] } });
    expect(plan.steps.some((s) => s.kind === "updateDns")).toBe(false);
    expect(plan.notes).toContain("Tier 'api' is only partly in scope: its routes and DNS records are left unchanged.");
    expect(plan.steps.find((s) => s.id === "failover:WEB01")?.dependsOn).toEqual(["tier-ready:api"]);
  });

  it("refuses unknown or empty scopes", () => {
    expect(() => planFailover(sampleEstate(), { mode: "unplanned", scope: { kind: "tiers", tiers: ["database"] } })).toThrow(PlanError);
    expect(() => planFailover(sampleEstate(), { mode: "unplanned", scope: { kind: "vms", vms: [] } })).toThrow(/at least one VM/);
  });

  describe("properties over random scopes and modes", () => {
    const estate = sampleEstate();
    const tierNames = estate.tiers.map((t) => t.name);
    const vmNames = estate.vms.map((v) => v.name);
    const scopeArb: fc.Arbitrary<Scope> = fc.oneof(
      fc.constant<Scope>({ kind: "all" }),
      fc.subarray(tierNames, { minLength: 1 }).map((tiers): Scope => ({ kind: "tiers", tiers })),
      fc.subarray(vmNames, { minLength: 1 }).map((vms): Scope => ({ kind: "vms", vms })),
    );
    const requestArb: fc.Arbitrary<FailoverRequest> = fc.record({ mode: fc.constantFrom("unplanned" as const, "test" as const), scope: scopeArb });
    const selected = (scope: Scope) =>
      estate.vms.filter((vm) => scope.kind === "all" || (scope.kind === "tiers" ? scope.tiers.includes(vm.tier) : scope.vms.includes(vm.name)));
    /** A drill takes one DC of those in scope: the estate's drill DC if in scope, else the first. */
    const inScope = (request: FailoverRequest) => {
      const vms = selected(request.scope);
      const dcs = vms.filter((vm) => vm.role === "domainController");
      const drillDc = dcs.find((vm) => vm.name === estate.drill.domainController) ?? dcs[0];
      return (request.mode === "test" ? vms.filter((vm) => vm.role !== "domainController" || vm === drillDc) : vms).map((vm) => vm.name);
    };

    it("is a DAG whose dependencies exist and come first", () => {
      fc.assert(
        fc.property(requestArb, (request) => {
          const plan = planFailover(estate, request);
          const seen = new Set<string>();
          for (const step of plan.steps) {
            for (const dep of step.dependsOn) expect(seen.has(dep)).toBe(true);
            expect(seen.has(step.id)).toBe(false);
            seen.add(step.id);
          }
        }),
      );
    });

    it("fails over every VM in scope exactly once and touches nothing outside it", () => {
      fc.assert(
        fc.property(requestArb, (request) => {
          const plan = planFailover(estate, request);
          const failedOver = plan.steps.filter((s) => s.kind === "failover").map((s) => s.target);
          expect([...failedOver].sort()).toEqual(inScope(request).sort());
          const vmSteps = plan.steps.filter((s) => "vm" in s).map((s) => (s as { vm: string }).vm);
          expect(vmSteps.every((vm) => failedOver.includes(vm))).toBe(true);
        }),
      );
    });

    it("starts a tier only after every in-scope tier it depends on is ready", () => {
      const ancestors = (tier: string): string[] => {
        const direct = estate.tiers.find((t) => t.name === tier)?.dependsOn ?? [];
        return [...direct, ...direct.flatMap(ancestors)];
      };
      fc.assert(
        fc.property(requestArb, (request) => {
          const plan = planFailover(estate, request);
          const byId = new Map(plan.steps.map((s) => [s.id, s]));
          const reaches = (from: string, to: string): boolean => from === to || (byId.get(from)?.dependsOn ?? []).some((d) => reaches(d, to));
          const tiersInPlan = new Set(plan.steps.filter((s) => s.kind === "tierReady").map((s) => s.target));
          for (const step of plan.steps.filter((s) => s.kind === "failover")) {
            expect(reaches(step.id, "verify-dc")).toBe(true);
            for (const upstream of ancestors(step.tier ?? "")) {
              if (tiersInPlan.has(upstream)) expect(reaches(step.id, `tier-ready:${upstream}`)).toBe(true);
            }
          }
          // Nothing is committed or cleaned up before every tier is ready.
          for (const step of plan.steps.filter((s) => s.kind === "commit" || s.kind === "cleanupTestFailover")) {
            for (const tier of tiersInPlan) expect(reaches(step.id, `tier-ready:${tier}`)).toBe(true);
          }
        }),
        { numRuns: 60 },
      );
    });
  });
});

describe("planFailover: gates for people, failback preparation, cleanup sweeps", () => {
  it("puts an approval gate between the DC check and the first failover, and a commit gate before the commits", () => {
    const plan = planFailover(tinyEstate(), { mode: "unplanned", scope: { kind: "all" }, approvalRequired: true, manualFinish: true });
    expect(plan.steps.find((s) => s.id === "await-approve")).toEqual({
      kind: "awaitDecision",
      id: "await-approve",
      dependsOn: ["verify-dc"],
      target: "approve",
      decision: "approve",
    });
    expect(plan.steps.find((s) => s.id === "failover:DC01")?.dependsOn).toEqual(["await-approve"]);
    expect(plan.steps.find((s) => s.id === "await-commit")).toEqual({
      kind: "awaitDecision",
      id: "await-commit",
      dependsOn: ["tier-ready:identity", "tier-ready:web"],
      target: "commit",
      decision: "commit",
    });
    expect(plan.steps.filter((s) => s.kind === "commit").map((s) => s.dependsOn)).toEqual([["await-commit"], ["await-commit"]]);
    expect(plan.notes).toHaveLength(2);
    // Without the options the plan is the automatic one.
    expect(planFailover(tinyEstate(), { mode: "unplanned", scope: { kind: "all" } }).steps.some((s) => s.kind === "awaitDecision")).toBe(false);
  });

  it("holds a drill's cleanup for a person, or for a set time when scheduled", () => {
    const manual = planFailover(tinyEstate(), { mode: "test", scope: { kind: "all" }, manualFinish: true });
    expect(manual.steps.find((s) => s.id === "await-cleanup")).toMatchObject({ decision: "cleanup", dependsOn: ["tier-ready:identity", "tier-ready:web"] });
    const timed = planFailover(tinyEstate(), { mode: "test", scope: { kind: "all" }, manualFinish: true, cleanupAfterMinutes: 45 });
    expect(timed.steps.find((s) => s.id === "await-cleanup")).toMatchObject({ proceedAfterSeconds: 2700 });
    expect(() => planFailover(tinyEstate(), { mode: "test", scope: { kind: "all" }, manualFinish: true, cleanupAfterMinutes: 0 })).toThrow(
      /cleanupAfterMinutes/,
    );
  });

  it("prepares failback with one reprotect per VM, after approval, and needs the vault's reprotect settings", () => {
    const plan = planFailover(sampleEstate(), { mode: "failback-prep", scope: { kind: "tiers", tiers: ["web"] }, approvalRequired: true });
    expect(plan.steps.map((s) => s.id)).toEqual(["await-approve", "reprotect:WEB01", "reprotect:WEB02", "reprotect:WEB03", "notify-complete"]);
    expect(plan.steps[1]).toEqual({ kind: "reprotect", id: "reprotect:WEB01", dependsOn: ["await-approve"], tier: "web", target: "WEB01", vm: "WEB01" });
    expect(plan.steps.some((s) => s.kind === "failover" || s.kind === "verifyTargetDc")).toBe(false);
    const json = sampleEstateJson() as { vaults: Record<string, Record<string, unknown>> };
    delete json.vaults["eastus"]?.["reprotect"];
    expect(() => planFailover(parseEstate(json), { mode: "failback-prep", scope: { kind: "all" } })).toThrow(/vaults\.eastus\.reprotect/);
  });

  it("sweeps a stopped drill with cleanup steps only", () => {
    const plan = planFailover(sampleEstate(), { mode: "test", scope: { kind: "vms", vms: ["DC01", "WEB02"] }, cleanupOnly: true });
    expect(plan.steps.map((s) => `${s.kind}:${s.dependsOn.join("+")}`)).toEqual([
      "cleanupTestFailover:",
      "cleanupTestFailover:",
      "notify:cleanup:DC01+cleanup:WEB02",
    ]);
    expect(() => planFailover(sampleEstate(), { mode: "unplanned", scope: { kind: "all" }, cleanupOnly: true })).toThrow(PlanError);
  });
});
