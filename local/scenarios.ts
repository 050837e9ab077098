import type { FailoverRequest } from "../shared/domain/plan.js";
import type { FaultPlan } from "./simulated-azure/simulatedAzure.js";

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly trigger: string;
  readonly request: FailoverRequest;
  readonly faults?: FaultPlan;
  /** What a successful drill of this scenario ends with. */
  readonly expectedOutcome: "succeeded" | "failed";
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
];

export function findScenario(name: string): Scenario {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new Error(`unknown scenario '${name}'; choose one of: ${SCENARIOS.map((s) => s.name).join(", ")}`);
  return scenario;
}
