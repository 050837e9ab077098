import type { Step } from "../domain/plan.js";
import type { ArmCost } from "../ports/armBudget.js";

/**
 * The ARM requests a step's first execution makes, booked against the subscription's budget before its
 * message is sent (executors/*.ts): a failover reads the item and its recovery points and POSTs; a
 * commit, cleanup or reprotect POSTs; in-guest checks POST a Run Command (their poll is a later read);
 * a DNS flip reads and writes its record set; a route or NIC change reads what it changes and writes it.
 */
export function stepArmCost(step: Step): ArmCost {
  switch (step.kind) {
    case "failover":
      return { reads: 2, writes: 1 };
    case "commit":
    case "cleanupTestFailover":
    case "guestChecks":
    case "updateAdDns":
    case "restoreAdDns":
      return { reads: 0, writes: 1 };
    case "reprotect":
      return { reads: 2, writes: 1 };
    // Failback: the item is read before its POST (the replication wait only reads it).
    case "plannedFailback":
    case "reprotectToAzure":
      return { reads: 1, writes: 1 };
    case "awaitFailbackReplication":
      return { reads: 1, writes: 0 };
    case "restoreDns":
      return { reads: 1, writes: 1 };
    case "restoreRoute":
      return { reads: 1, writes: 1 };
    case "updateDns":
      return { reads: 1, writes: 1 };
    case "updateRoute":
    case "enableIpForwarding":
      return { reads: 2, writes: 1 };
    case "verifyTargetDc":
    case "healthProbe":
    case "tierReady":
    case "notify":
    case "awaitDecision":
      return { reads: 0, writes: 0 };
  }
}
