import type { ReprotectStep } from "../../domain/plan.js";
import type { StepExecutor } from "../stepContext.js";
import { failed } from "../stepOutcome.js";
import { runAsrOperation } from "./asrOperation.js";
import { protectedItemRef } from "./estateLookup.js";

/**
 * Failback preparation of one VM: ASR must offer Reprotect on the item (failed over and
 * committed) and reach the on-premises appliance; then reverse replication is started and its
 * job followed like any ASR operation.
 */
export const executeReprotect: StepExecutor<ReprotectStep> = (context) => {
  const { step, deps } = context;
  const ref = protectedItemRef(deps.estate, step.vm);
  return runAsrOperation(context, ref, {
    scenario: "Reprotect",
    isComplete: (item) => item.activeLocation === "Recovery" && item.allowedOperations.includes("PlannedFailover"),
    intentDetails: async () => {
      const item = await deps.siteRecovery.getProtectedItem(ref);
      if (!item.allowedOperations.includes("Reprotect")) {
        return failed(`${step.vm}: ASR does not offer Reprotect now (state ${item.protectionState}, active on ${item.activeLocation}, allowed: ${item.allowedOperations.join(", ") || "none"}); fail over and commit first`, false);
      }
      const site = await deps.siteRecovery.getOnPremisesReachability(ref.vault);
      if (!site.reachable) return failed(`${step.vm}: the on-premises site is not reachable through ASR (${site.detail})`, false);
      return {};
    },
    start: () => deps.siteRecovery.startReprotect(ref),
  });
};
