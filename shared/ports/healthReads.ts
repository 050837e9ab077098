import type { Vault } from "../domain/estate.js";
import type {
  AsrLogCoverage,
  CircuitAvailability,
  GuestRunEvidence,
  PolicySnapshot,
  ProtectedItemSnapshot,
  RecoveryPlanSnapshot,
  RecoveryPointSummary,
  VmAgentState,
} from "../domain/health/healthSnapshot.js";

/** Every health read can be abandoned: the check is bounded in time and one slow read must not hold the others. */
export interface ReadOptions {
  readonly signal?: AbortSignal;
}

/** ASR inventory, read with one list call per vault (never a get per VM), plus each item's recovery points. */
export interface AsrInventoryPort {
  listProtectedItems(vault: Vault, options?: ReadOptions): Promise<ProtectedItemSnapshot[]>;
  listRecoveryPlans(vault: Vault, options?: ReadOptions): Promise<RecoveryPlanSnapshot[]>;
  listPolicies(vault: Vault, options?: ReadOptions): Promise<PolicySnapshot[]>;
  /** `item` is the protected item's ARM id, as the vault listed it. */
  summariseRecoveryPoints(itemId: string, options?: ReadOptions): Promise<RecoveryPointSummary>;
}

/** Azure Monitor: platform metrics (regional batch API) and Log Analytics queries. */
export interface MonitorPort {
  /** BGP and ARP availability of ExpressRoute circuits that all live in `region`, averaged over the last `windowMinutes`. */
  circuitAvailability(region: string, circuitIds: readonly string[], windowMinutes: number, options?: ReadOptions): Promise<Map<string, CircuitAvailability>>;
  /** Newest Heartbeat of a VM in a workspace within the last `windowHours`; null when there is none. */
  lastHeartbeat(workspaceId: string, vmId: string, windowHours: number, options?: ReadOptions): Promise<Date | null>;
  /** Per vault and provider, the AzureSiteRecoveryReplicatedItems rows of the last `windowHours` (what the RPO alert rule reads). */
  asrLogCoverage(workspaceId: string, windowHours: number, options?: ReadOptions): Promise<AsrLogCoverage[]>;
}

/**
 * Resource Health's current availability status of one resource
 * (GET {resourceId}/providers/Microsoft.ResourceHealth/availabilityStatuses/current).
 */
export interface AvailabilityStatus {
  /** Available, Unavailable, Degraded or Unknown. */
  readonly availabilityState: string;
  /** Who caused it, as the service spells it: healthEventCause (PlatformInitiated, UserInitiated) or context ('Platform Initiated'). */
  readonly cause?: string;
  /** Planned, Unplanned, UserInitiated... */
  readonly reasonType?: string;
  readonly summary?: string;
  readonly occurredAt?: Date;
}

export interface ResourceHealthPort {
  currentStatus(resourceId: string, options?: ReadOptions): Promise<AvailabilityStatus>;
}

/** The Azure VM agent of a VM, from its instance view (what Run Command needs). */
export interface VmAgentPort {
  agentState(vmId: string, options?: ReadOptions): Promise<VmAgentState>;
}

/** The product's own run history: what recent drills and failovers showed about Run Command in each VM. */
export interface RunHistoryPort {
  /** The in-guest check steps of the `limit` most recent drills and failovers, newest first. */
  recentGuestChecks(limit: number, options?: ReadOptions): Promise<GuestRunEvidence[]>;
}
