import type { Estate } from "../../shared/domain/estate.js";
import { estimateRto } from "../../shared/domain/estimateRto.js";
import type { FailoverRequest, Plan, Step } from "../../shared/domain/plan.js";
import { planFailover } from "../../shared/domain/planFailover.js";

/** The plan as a person reads it: tiers in order, what each does, the gates, DNS and route changes, the RTO estimate. */
export function describePlan(estate: Estate, request: FailoverRequest): { readonly plan: Plan; readonly lines: readonly string[] } {
  const plan = planFailover(estate, request);
  const estimate = estimateRto(plan);
  const minutes = Math.ceil(estimate.seconds / 60);
  const lines: string[] = [`Plan: ${request.mode} failover of ${describeScope(request)} of estate ${estate.name}, ${plan.steps.length} steps`, ""];
  const estateWide = plan.steps.filter((s) => s.tier === undefined && s.kind !== "notify");
  for (const step of estateWide) lines.push(`  ${stepLine(step)}`);
  const tiers = estate.tiers.filter((t) => plan.steps.some((s) => s.tier === t.name));
  for (const [i, tier] of order(
    tiers.map((t) => t.name),
    plan,
  ).entries()) {
    const steps = plan.steps.filter((s) => s.tier === tier && s.kind !== "commit" && s.kind !== "cleanupTestFailover");
    const after = plan.steps.find((s) => s.kind === "failover" && s.tier === tier)?.dependsOn ?? [];
    lines.push("", `${i + 1}. tier ${tier}${after.length > 0 ? ` (after ${after.join(", ")})` : ""}`);
    for (const step of steps) lines.push(`     ${stepLine(step)}`);
  }
  const finish = plan.steps.filter((s) => s.kind === "commit" || s.kind === "cleanupTestFailover" || s.kind === "notify");
  if (finish.length > 0) lines.push("", `Then: ${[...new Set(finish.map((s) => s.kind))].join(", ")} (${finish.length} steps)`);
  if (plan.notes.length > 0) lines.push("", "Notes:", ...plan.notes.map((n) => `  - ${n}`));
  lines.push(
    "",
    `RTO estimate   about ${minutes} min with typical ASR job durations (target ${estate.objectives.rtoMinutes} min: ${minutes <= estate.objectives.rtoMinutes ? "within" : "OVER"})`,
    `Critical path  ${estimate.criticalPath.join(" -> ")}`,
    "Nothing was sent to Azure: `npm run drill` runs this plan against the simulated Azure.",
  );
  return { plan, lines };
}

function describeScope(request: FailoverRequest): string {
  const { scope } = request;
  return scope.kind === "all" ? "every VM" : scope.kind === "tiers" ? `tiers ${scope.tiers.join(", ")}` : `VMs ${scope.vms.join(", ")}`;
}

/** Tiers by the time their first failover can start (the longest chain of tiers before it). */
function order(tiers: readonly string[], plan: Plan): string[] {
  const depth = new Map<string, number>();
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const depthOf = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const step = byId.get(id);
    const d = step ? 1 + Math.max(0, ...step.dependsOn.map(depthOf)) : 0;
    depth.set(id, d);
    return d;
  };
  const start = (tier: string): number => Math.min(...plan.steps.filter((s) => s.tier === tier && s.kind === "failover").map((s) => depthOf(s.id)));
  return [...tiers].sort((a, b) => start(a) - start(b));
}

function stepLine(step: Step): string {
  switch (step.kind) {
    case "verifyTargetDc":
      return "gate   the target-region domain controller answers (DNS, LDAP, Kerberos)";
    case "awaitDecision":
      return `gate   waits for a person: ${step.decision}`;
    case "failover":
      return `${step.mode === "test" ? "test failover" : "failover"} ${step.vm} (recovery point ${typeof step.recoveryPoint === "string" ? step.recoveryPoint : step.recoveryPoint.at})`;
    case "guestChecks":
      return `checks ${step.vm}: ${[...step.checks, ...(step.httpProbeUrl ? [`in-guest probe ${step.httpProbeUrl}`] : [])].join(", ")}`;
    case "healthProbe":
      return `probe  ${step.url}`;
    case "enableIpForwarding":
      return `nic    IP forwarding on ${step.vm}'s NIC`;
    case "updateRoute":
      return `route  ${step.routeTable}/${step.route} -> ${step.nextHopVm}'s private IP`;
    case "updateDns":
      return `dns    ${step.zoneType} ${step.target} -> ${step.addresses.join(", ")}`;
    case "tierReady":
      return `ready  tier ${step.target}`;
    default:
      return `${step.kind} ${step.target}`;
  }
}
