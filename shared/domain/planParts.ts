import type { Estate, Vm } from "./estate.js";
import type { AwaitDecisionStep, FailoverRequest, RunDecision, TierReadyStep } from "./plan.js";

/** What the planners share: step ids, scope selection, tier order and decision gates. Pure. */

export class PlanError extends Error {
  override readonly name = "PlanError";
}

export const VERIFY_DC_STEP_ID = "verify-dc";
export const NOTIFY_STEP_ID = "notify-complete";
export const tierReadyId = (tier: string): string => `tier-ready:${tier}`;
export const failoverStepId = (vm: string): string => `failover:${vm}`;
/** The failover's step of an Azure DNS record set, which a failback reads the previous value from. */
export const dnsStepId = (zoneType: string, zone: string, name: string): string => `dns:${zoneType}:${zone}:${name}`;
/** The failover's step of a route, which a failback reads the previous next hop from. */
export const routeStepId = (routeTable: string, route: string): string => `route:${routeTable}:${route}`;
/** The gate step of a person's decision: `await-approve`, `await-commit`, `await-cleanup`. */
export const decisionGateId = (decision: RunDecision): string => `await-${decision}`;

export const APPROVAL_NOTE = "Waits for a person with the approver role (POST /api/runs/{runId}/approve) before anything is changed.";

export function gate(decision: RunDecision, dependsOn: readonly string[], proceedAfterSeconds?: number): AwaitDecisionStep {
  return {
    kind: "awaitDecision",
    id: decisionGateId(decision),
    dependsOn,
    target: decision,
    decision,
    ...(proceedAfterSeconds !== undefined ? { proceedAfterSeconds } : {}),
  };
}

/** The milestone a tier's dependants wait for, once `dependsOn` (its VMs' steps, its names and routes) are done. */
export function tierReady(tier: string, dependsOn: readonly string[]): TierReadyStep {
  return { kind: "tierReady", id: tierReadyId(tier), dependsOn, tier, target: tier };
}

export function selectVms(estate: Estate, request: FailoverRequest): Vm[] {
  const { scope } = request;
  switch (scope.kind) {
    case "all":
      return [...estate.vms];
    case "tiers": {
      const unknown = scope.tiers.filter((t) => !estate.tiers.some((tier) => tier.name === t));
      if (unknown.length > 0) throw new PlanError(`scope.tiers: unknown tier(s) ${unknown.join(", ")}`);
      if (scope.tiers.length === 0) throw new PlanError("scope.tiers: at least one tier is needed");
      return estate.vms.filter((vm) => scope.tiers.includes(vm.tier));
    }
    case "vms": {
      const unknown = scope.vms.filter((n) => !estate.vms.some((vm) => vm.name === n));
      if (unknown.length > 0) throw new PlanError(`scope.vms: unknown VM(s) ${unknown.join(", ")}`);
      if (scope.vms.length === 0) throw new PlanError("scope.vms: at least one VM is needed");
      return estate.vms.filter((vm) => scope.vms.includes(vm.name));
    }
  }
}

/** Every tier this tier depends on, directly or through others. */
function upstreamTiers(estate: Estate, tierName: string): Set<string> {
  const seen = new Set<string>();
  const walk = (name: string): void => {
    for (const dep of estate.tiers.find((t) => t.name === name)?.dependsOn ?? []) {
      if (!seen.has(dep)) {
        seen.add(dep);
        walk(dep);
      }
    }
  };
  walk(tierName);
  return seen;
}

/**
 * The in-scope tiers this tier must wait for, without those already implied by another
 * (web waits for api, not also for edge and identity, which api itself waited for).
 */
export function nearestUpstream(estate: Estate, tierName: string, inScope: ReadonlySet<string>): string[] {
  const upstream = [...upstreamTiers(estate, tierName)].filter((t) => inScope.has(t));
  return upstream.filter((candidate) => !upstream.some((other) => other !== candidate && upstreamTiers(estate, other).has(candidate)));
}
