import type { Estate } from "./estate.js";
import { estimateRto } from "./estimateRto.js";
import { planFailover } from "./planFailover.js";

/**
 * Checks that only make sense against what the estate means, beyond its shape and references: the
 * routes go through the NAT/firewall, domain controllers get DC checks, the objectives can be met.
 * Each problem is "path: sentence", like parseEstate's.
 */
export function meaningProblems(estate: Estate): string[] {
  return [...routeProblems(estate), ...domainControllerProblems(estate), ...objectiveProblems(estate)];
}

function routeProblems(estate: Estate): string[] {
  const nat = estate.alerting.natVm.vm;
  return estate.routes.flatMap((route, i) =>
    route.nextHopVm === nat
      ? []
      : [
          `routes[${i}].nextHopVm: '${route.nextHopVm}' is not the NAT/firewall VM (alerting.natVm.vm is '${nat}'): after failover the route would send its traffic to a VM that does not forward it`,
        ],
  );
}

function domainControllerProblems(estate: Estate): string[] {
  return estate.tiers.flatMap((tier, i) => {
    const dcs = estate.vms.filter((vm) => vm.tier === tier.name && vm.role === "domainController").map((vm) => vm.name);
    return dcs.length > 0 && !tier.guestChecks.includes("domainController")
      ? [
          `tiers[${i}].guestChecks: tier '${tier.name}' holds domain controllers (${dcs.join(", ")}) but no 'domainController' check: add it, so a DC that does not serve the domain stops the failover before its members start`,
        ]
      : [];
  });
}

function objectiveProblems(estate: Estate): string[] {
  const problems: string[] = [];
  const { objectives } = estate;
  const estimate = estimateRto(planFailover(estate, { mode: "unplanned", scope: { kind: "all" } }));
  const minutes = Math.ceil(estimate.seconds / 60);
  if (minutes > objectives.rtoMinutes) {
    problems.push(
      `objectives.rtoMinutes: ${objectives.rtoMinutes} min cannot be met: with typical ASR job durations the failover's critical path takes about ${minutes} min (${estimate.criticalPath.length} steps in sequence); fewer tiers in sequence or a larger target gets there`,
    );
  }
  if (estate.recoveryPoint === "latestAppConsistent" && objectives.rpoMinutes < objectives.appConsistentFrequencyMinutes) {
    problems.push(
      `objectives.rpoMinutes: ${objectives.rpoMinutes} min cannot be met with recoveryPoint 'latestAppConsistent': app-consistent points come every ${objectives.appConsistentFrequencyMinutes} min, so up to that much data is lost`,
    );
  }
  if (objectives.appConsistentFrequencyMinutes > objectives.retentionDays * 1440) {
    problems.push(
      `objectives.appConsistentFrequencyMinutes: an app-consistent point every ${objectives.appConsistentFrequencyMinutes} min outlives the ${objectives.retentionDays}-day retention: no app-consistent point would be kept`,
    );
  }
  return problems;
}
