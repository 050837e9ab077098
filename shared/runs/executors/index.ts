import type { Step, StepKind } from "../../domain/plan.js";
import type { StepExecutor } from "../stepContext.js";
import { executeRestoreAdDns, executeUpdateAdDns } from "./adDns.js";
import { executeCleanupTestFailover, executeCommit } from "./commit.js";
import { executeAwaitDecision } from "./decisions.js";
import { executeAwaitFailbackReplication, executePlannedFailback, executeReprotectToAzure } from "./failback.js";
import { executeFailover } from "./failover.js";
import { executeGuestChecks, executeHealthProbe, executeVerifyTargetDc } from "./guestChecks.js";
import { executeNotify, executeTierReady } from "./milestones.js";
import { executeEnableIpForwarding, executeUpdateDns, executeUpdateRoute } from "./network.js";
import { executeReprotect } from "./reprotect.js";
import { executeRestoreDns, executeRestoreRoute } from "./restoreNetwork.js";

const EXECUTORS: { readonly [K in StepKind]: StepExecutor<Extract<Step, { kind: K }>> } = {
  verifyTargetDc: executeVerifyTargetDc,
  failover: executeFailover,
  guestChecks: executeGuestChecks,
  healthProbe: executeHealthProbe,
  enableIpForwarding: executeEnableIpForwarding,
  updateRoute: executeUpdateRoute,
  updateDns: executeUpdateDns,
  tierReady: executeTierReady,
  commit: executeCommit,
  cleanupTestFailover: executeCleanupTestFailover,
  notify: executeNotify,
  awaitDecision: executeAwaitDecision,
  reprotect: executeReprotect,
  awaitFailbackReplication: executeAwaitFailbackReplication,
  plannedFailback: executePlannedFailback,
  restoreDns: executeRestoreDns,
  restoreRoute: executeRestoreRoute,
  reprotectToAzure: executeReprotectToAzure,
  updateAdDns: executeUpdateAdDns,
  restoreAdDns: executeRestoreAdDns,
};

export function executorFor(kind: StepKind): StepExecutor {
  return EXECUTORS[kind] as StepExecutor;
}
