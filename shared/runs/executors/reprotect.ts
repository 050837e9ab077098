import type { ReprotectStep } from "../../domain/plan.js";
import type { StepExecutor } from "../stepContext.js";
import { failed } from "../stepOutcome.js";
import { runAsrOperation } from "./asrOperation.js";
import { protectedItemRef } from "./estateLookup.js";

/**
 * Failback preparation of one VM: ASR must offer SwitchProtection on the item (failed over; the
 * reprotect job commits an uncommitted failover itself) and reach the on-premises appliance; then
 * reverse replication is started and its job followed like any ASR operation. Recorded in
 * TestV2ARCMReprotect.json: the job runs as SwitchReplicationGroupProtection, and the item then
 * replicates with provider InMageRcmFailback: initial replication first, then Protected, offering PlannedFailover.
 */
export const executeReprotect: StepExecutor<ReprotectStep> = (context) => {
  const { step, deps } = context;
  const ref = protectedItemRef(deps.estate, step.vm);
  return runAsrOperation(context, ref, {
    scenario: "SwitchReplicationGroupProtection",
    // Reprotected as soon as the provider is InMageRcmFailback, also while its initial replication back runs (recorded InitialReplicationInProgress).
    isComplete: (item) => item.provider === "InMageRcmFailback",
    intentDetails: async () => {
      const item = await deps.siteRecovery.getProtectedItem(ref);
      if (!item.allowedOperations.includes("SwitchProtection")) {
        return failed(
          `${step.vm}: ASR does not offer reprotect (SwitchProtection) now (state ${item.protectionState}, active on ${item.activeLocation}, allowed: ${item.allowedOperations.join(", ") || "none"}); fail it over first`,
          false,
        );
      }
      const site = await deps.siteRecovery.getOnPremisesReachability(ref.vault);
      if (!site.reachable) return failed(`${step.vm}: the on-premises site is not reachable through ASR (${site.detail})`, false);
      return {};
    },
    start: () => deps.siteRecovery.startReprotect(ref),
  });
};
