import type { FailoverRequest } from "../shared/domain/plan.js";
import type { FaultPlan } from "./simulated-azure/simulatedAzure.js";

/** A scenario driven through the alert path: an Action Group posts the alert, the policy decides. */
export interface AlertDrive {
  /** Common alert schema payload under test/fixtures/alerts/, posted restamped to the drill's clock. */
  readonly fixture: string;
  /** Whether the incident policy must start `request` (true) or must start no run at all (false). */
  readonly startsRun: boolean;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly trigger: string;
  /** The run the drill starts; with `alert`, the run the alert path must start, or must not. */
  readonly request: FailoverRequest;
  /** Drive the scenario by an alert through the real alerts route, debounce and incident-check queue. */
  readonly alert?: AlertDrive;
  readonly faults?: FaultPlan;
  /**
   * The whole round trip (local/roundTripDrill.ts): `request` is its first run; failback preparation
   * and the failback follow, each requested and approved by two people over the HTTP routes.
   */
  readonly roundTrip?: true;
  /** What a successful drill of this scenario ends with ('noRun': the alert path decided against a failover). */
  readonly expectedOutcome: "succeeded" | "failed" | "noRun";
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: "expressroute-down",
    description: "Both ExpressRoute circuits lose BGP: unplanned failover of the whole site, in dependency order.",
    trigger: "simulated alert: ExpressRoute BgpAvailability 0% on both circuits",
    request: { mode: "unplanned", scope: { kind: "all" } },
    expectedOutcome: "succeeded",
  },
  {
    name: "test-failover",
    description: "Drill: test failover of every VM into the isolated networks, checks, then cleanup.",
    trigger: "simulated drill",
    request: { mode: "test", scope: { kind: "all" } },
    expectedOutcome: "succeeded",
  },
  {
    name: "faults",
    description: "ExpressRoute down while ARM throttles and fails some calls and one ASR failover job fails once: the run survives.",
    trigger: "simulated alert: ExpressRoute BgpAvailability 0% on both circuits",
    request: { mode: "unplanned", scope: { kind: "all" } },
    faults: { throttleEveryNth: { n: 45, retryAfterSeconds: 1 }, serverErrorEveryNth: 31, failFirstFailoverJobOf: ["API03"] },
    expectedOutcome: "succeeded",
  },
  {
    name: "broken-trust",
    description: "API02 comes up without its domain trust: the run stops at that gate, says why, and starts nothing after it.",
    trigger: "simulated alert: ExpressRoute BgpAvailability 0% on both circuits",
    request: { mode: "unplanned", scope: { kind: "all" } },
    faults: { brokenDomainTrust: ["API02"] },
    expectedOutcome: "failed",
  },
  {
    name: "nat-loss",
    description: "Resource Health says the NAT/firewall VM is unavailable: after the debounce, the edge tier alone fails over and the routes follow it.",
    trigger: "alert: NAT01 Resource Health Unavailable",
    request: { mode: "unplanned", scope: { kind: "tiers", tiers: ["edge"] } },
    alert: { fixture: "nat-unavailable-resourcehealth.json", startsRun: true },
    expectedOutcome: "succeeded",
  },
  {
    name: "rpo-breach",
    description: "A log alert says API03's RPO is breached: nothing fails over (it would lose more data); people are told and a health check runs now.",
    trigger: "alert: asr-rpo-breach (API03)",
    request: { mode: "unplanned", scope: { kind: "all" } },
    alert: { fixture: "rpo-breach-log.json", startsRun: false },
    faults: { health: { networkTrouble: ["API03"] } },
    expectedOutcome: "noRun",
  },
  {
    name: "failback",
    description:
      "The round trip: unplanned failover and commit, reprotect towards vSphere, wait for replication back, failback (approved), commit, protect towards Azure again.",
    trigger: "simulated drill: round trip to Azure and back",
    request: { mode: "unplanned", scope: { kind: "all" } },
    roundTrip: true,
    expectedOutcome: "succeeded",
  },
];

export function findScenario(name: string): Scenario {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new Error(`unknown scenario '${name}'; choose one of: ${SCENARIOS.map((s) => s.name).join(", ")}`);
  return scenario;
}
