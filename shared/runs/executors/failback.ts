import type { AwaitFailbackReplicationStep, PlannedFailbackStep, ReprotectToAzureStep } from "../../domain/plan.js";
import type { ProtectedItemState } from "../../ports/siteRecovery.js";
import type { StepExecutor } from "../stepContext.js";
import { done, failed, waiting } from "../stepOutcome.js";
import { runAsrOperation } from "./asrOperation.js";
import { protectedItemRef } from "./estateLookup.js";

/** How far an item is on its way back to vSphere (pure: the preview says the same). */
export type FailbackReadiness =
  | { readonly kind: "ready"; readonly detail: string }
  | { readonly kind: "catchingUp"; readonly detail: string }
  /** The item does not replicate back at all: a failback-prep run must reprotect it first. */
  | { readonly kind: "notReprotected"; readonly detail: string }
  /** Its planned failover back has already been made (a resumed or repeated run). */
  | { readonly kind: "failedBack"; readonly detail: string };

/**
 * Ready for the failback: provider InMageRcmFailback, Protected, replication health Normal and
 * PlannedFailover offered (recorded state F, TestV2ARCMFailback.json). Recorded before it, for a
 * reprotected item: InitialReplicationInProgress with its percentage, offering only DisableProtection.
 */
export function failbackReadiness(vm: string, item: ProtectedItemState): FailbackReadiness {
  const state = `state ${item.protectionState}, replication health ${item.replicationHealth}, active on ${item.activeLocation}`;
  if (item.provider !== "InMageRcmFailback") {
    if (item.currentScenario.name === "SwitchReplicationGroupProtection")
      return { kind: "catchingUp", detail: `${vm}: ASR is reprotecting it towards vSphere (job ${item.currentScenario.jobName ?? "unnamed"})` };
    return {
      kind: "notReprotected",
      detail: `${vm}: it does not replicate back to vSphere (provider ${item.provider}, ${state}): run failback-prep for it first, then start the failback again`,
    };
  }
  if (item.activeLocation === "Recovery") return { kind: "failedBack", detail: `${vm}: already failed back to vSphere (${state})` };
  const ready = item.protectionState === "Protected" && item.replicationHealth === "Normal" && item.allowedOperations.includes("PlannedFailover");
  if (ready) return { kind: "ready", detail: `${vm}: replicates back to vSphere, Protected, health Normal; ASR offers the planned failover` };
  const progress = item.failbackReplication?.progressPercentage;
  const how = progress !== undefined ? `, initial replication ${progress} % (${item.failbackReplication?.progressHealth ?? "None"})` : "";
  return { kind: "catchingUp", detail: `${vm}: replication back to vSphere is not ready yet (${state}${how})` };
}

/** Polls the item (a waiting outcome per look, never a wait in the handler) until it is ready for its failback. */
export const executeAwaitFailbackReplication: StepExecutor<AwaitFailbackReplicationStep> = async ({ step, deps, timing }) => {
  const item = await deps.siteRecovery.getProtectedItem(protectedItemRef(deps.estate, step.vm));
  const readiness = failbackReadiness(step.vm, item);
  switch (readiness.kind) {
    case "ready":
    case "failedBack":
      return done(readiness.detail);
    case "notReprotected":
      return failed(readiness.detail, false);
    case "catchingUp":
      return waiting(timing.failbackReplicationPollSeconds, readiness.detail);
  }
};

/** Recorded state E: after the failback's planned failover the item is active on Recovery (vSphere, in the reprotected direction). */
const failedBack = (item: ProtectedItemState): boolean => item.provider === "InMageRcmFailback" && item.activeLocation === "Recovery";

/**
 * Failback of one VM: ASR's planned failover of the reprotected item, which shuts the Azure VM down,
 * synchronises the last changes and starts the VM on vSphere (the recorded job's tasks). Started at
 * most once and followed through its job (runAsrOperation).
 */
export const executePlannedFailback: StepExecutor<PlannedFailbackStep> = (context) => {
  const { step, deps } = context;
  const ref = protectedItemRef(deps.estate, step.vm);
  return runAsrOperation(context, ref, {
    scenario: "PlannedFailover",
    isComplete: failedBack,
    intentDetails: async () => {
      const item = await deps.siteRecovery.getProtectedItem(ref);
      if (failedBack(item)) return done(`${step.vm}: already failed back to vSphere in ASR`);
      if (!item.allowedOperations.includes("PlannedFailover"))
        return failed(
          `${step.vm}: ASR does not offer the planned failover now (provider ${item.provider}, state ${item.protectionState}, allowed: ${item.allowedOperations.join(", ") || "none"})`,
          false,
        );
      const site = await deps.siteRecovery.getOnPremisesReachability(ref.vault);
      if (!site.reachable) return failed(`${step.vm}: the on-premises site is not reachable through ASR (${site.detail})`, false);
      return {};
    },
    start: () => deps.siteRecovery.startPlannedFailback(ref, step.recoveryPointType),
  });
};

/** Protected towards Azure again: the forward InMageRcm item, active on Primary (vSphere). */
const protectedTowardsAzure = (item: ProtectedItemState): boolean => item.provider === "InMageRcm" && item.activeLocation === "Primary";

/**
 * Protects a failed-back, committed VM towards Azure again (reProtect with InMageRcmFailbackReprotectInput,
 * offered as SwitchProtection; its job is followed like the forward reprotect's).
 */
export const executeReprotectToAzure: StepExecutor<ReprotectToAzureStep> = (context) => {
  const { step, deps } = context;
  const ref = protectedItemRef(deps.estate, step.vm);
  return runAsrOperation(context, ref, {
    scenario: "SwitchReplicationGroupProtection",
    isComplete: protectedTowardsAzure,
    intentDetails: async () => {
      const item = await deps.siteRecovery.getProtectedItem(ref);
      if (protectedTowardsAzure(item)) return done(`${step.vm}: already protected towards Azure`);
      if (item.provider !== "InMageRcmFailback" || !item.allowedOperations.includes("SwitchProtection"))
        return failed(
          `${step.vm}: ASR does not offer the reprotect towards Azure now (provider ${item.provider}, state ${item.protectionState}, allowed: ${item.allowedOperations.join(", ") || "none"})`,
          false,
        );
      return {};
    },
    start: () => deps.siteRecovery.startReprotectToAzure(ref),
  });
};
