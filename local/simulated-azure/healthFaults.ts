/**
 * Conditions the nightly health check must recognise, as simulated Azure shows them: on-premises
 * trouble (antivirus, VSS, network, vCenter) as ASR reports it on the protected items, drift between
 * the estate and ASR, estate-level outages, and reads that fail.
 */

/** What the health check reads, for read faults. */
export type HealthReadKind = "asr-items" | "recovery-plans" | "policies" | "recovery-points" | "metrics" | "logs" | "dns" | "instance-view";

export const HEALTH_READ_KINDS: readonly HealthReadKind[] = [
  "asr-items",
  "recovery-plans",
  "policies",
  "recovery-points",
  "metrics",
  "logs",
  "dns",
  "instance-view",
];

/** throttled: 429 with Retry-After on every attempt; forbidden: 403 AuthorizationFailed; timeout: no answer until the caller gives up. */
export type ReadFault = "throttled" | "forbidden" | "timeout";

export interface HealthFaultPlan {
  /** Antivirus blocks the Mobility agent: it stops reporting, replication stalls, ASR raises 78174. */
  readonly avBlockingAgent?: readonly string[];
  /** VSS fails on the VM: no app-consistent points (ASR 78144), crash-consistent points keep coming. */
  readonly vssFailing?: readonly string[];
  /** Replication lags (RPO between half the objective and the objective): amber, no health error yet. */
  readonly staleRpo?: readonly string[];
  /** The network between VM, appliance and Azure is failing: replication stalls past the RPO, ASR raises 78169. */
  readonly networkTrouble?: readonly string[];
  /** The vCenter account lost permissions: ASR reports it on the items (no documented code). */
  readonly vcenterPermissions?: readonly string[];
  /** A health error the remediation catalogue does not know (code 'SIM-0001', clearly not an ASR code). */
  readonly unknownHealthError?: readonly string[];
  /** The Mobility agent is an older version than the latest one. */
  readonly agentOutdated?: readonly string[];
  /** No successful test failover recorded. */
  readonly neverTested?: readonly string[];
  /** The target network of the item is not set. */
  readonly targetNetworkUnset?: readonly string[];
  /** Replication of the VM was disabled: its item is gone from the vault. */
  readonly missingVm?: readonly string[];
  /** The VM's item lives in another vault than the estate says. */
  readonly movedVm?: readonly { readonly vm: string; readonly toVault: string }[];
  /** Recovery plans whose groups disagree with the tiers (one tier boots too early, a VM is left out). */
  readonly recoveryPlanDrift?: boolean;
  /** The replication policy keeps fewer days than the estate's retention. */
  readonly policyRetentionDays?: number;
  /** ExpressRoute circuits (by name) with BGP/ARP availability at 0%. */
  readonly expressRouteDown?: readonly string[];
  /** ExpressRoute circuits (by name) whose private peering (the one carrying the site) is down while Microsoft peering stays up. */
  readonly privatePeeringDown?: readonly string[];
  /**
   * Resource Health's current status of Azure VMs by ARM id (an Azure-hosted NAT/firewall VM):
   * availabilityState and context as AvailabilityStatus_GetByResource spells them. Default: Available.
   */
  readonly resourceHealth?: Readonly<
    Record<string, { readonly availabilityState: "Available" | "Unavailable" | "Degraded" | "Unknown"; readonly context?: string }>
  >;
  /** The target DC stopped sending Heartbeat this many minutes before the start. */
  readonly targetDcSilentMinutes?: number;
  /** The target DC's VM agent is not ready (Run Command would fail). */
  readonly runCommandUnavailable?: boolean;
  /** DNS record sets (by relative name) whose TTL is raised to this many seconds. */
  readonly dnsTtl?: Readonly<Record<string, number>>;
  /**
   * What the vaults' diagnostic settings deliver to the RPO rule's workspace: 'none' (no setting, or
   * resource-specific tables), 'withoutRpo' (rows for the provider that carry no rpoInSeconds_d).
   */
  readonly asrLogs?: "none" | "withoutRpo";
  /** Reads that fail, by what they read. */
  readonly failReads?: Partial<Readonly<Record<HealthReadKind, ReadFault>>>;
  /** Retry-After of throttled reads (default 1 s; tests use 0). */
  readonly throttleRetryAfterSeconds?: number;
}

/** Named problems for `npm run healthcheck -- --problem <name>[=VM,VM]`, with the VMs they hit by default. */
export const HEALTH_PROBLEMS: Readonly<Record<string, { readonly description: string; apply(targets: readonly string[] | undefined): HealthFaultPlan }>> = {
  "av-blocking-agent": { description: "antivirus blocks the Mobility agent (default API03)", apply: (t) => ({ avBlockingAgent: t ?? ["API03"] }) },
  "vss-failing": { description: "VSS writer failures, no app-consistent points (default DC02)", apply: (t) => ({ vssFailing: t ?? ["DC02"] }) },
  "stale-rpo": { description: "replication lagging, RPO amber before breach (default WEB02)", apply: (t) => ({ staleRpo: t ?? ["WEB02"] }) },
  "network-trouble": { description: "replication network failing, RPO breached (default REC02)", apply: (t) => ({ networkTrouble: t ?? ["REC02"] }) },
  "vcenter-permissions": { description: "vCenter account without enough permissions (default NAT01)", apply: (t) => ({ vcenterPermissions: t ?? ["NAT01"] }) },
  "unknown-error": { description: "an ASR health error the catalogue does not know (default API05)", apply: (t) => ({ unknownHealthError: t ?? ["API05"] }) },
  "agent-outdated": { description: "Mobility agent older than the latest (default WEB01)", apply: (t) => ({ agentOutdated: t ?? ["WEB01"] }) },
  "never-tested": { description: "no successful test failover recorded (default REC04)", apply: (t) => ({ neverTested: t ?? ["REC04"] }) },
  "target-network-unset": { description: "target network not set on the item (default API06)", apply: (t) => ({ targetNetworkUnset: t ?? ["API06"] }) },
  "missing-vm": { description: "replication disabled, item gone (default WEB03)", apply: (t) => ({ missingVm: t ?? ["WEB03"] }) },
  "moved-vm": {
    description: "item protected in the other vault (default REC03 into eastus)",
    apply: (t) => ({ movedVm: (t ?? ["REC03"]).map((vm) => ({ vm, toVault: vm.startsWith("REC") ? "eastus" : "seasia" })) }),
  },
  "recovery-plan-drift": { description: "recovery plan groups disagree with the tiers", apply: () => ({ recoveryPlanDrift: true }) },
  "policy-retention-short": { description: "replication policy keeps 3 days instead of 5", apply: () => ({ policyRetentionDays: 3 }) },
  "expressroute-down": {
    description: "the active ExpressRoute circuit reports 0% BGP/ARP availability",
    apply: (t) => ({ expressRouteDown: t ?? ["er-contoso-primary"] }),
  },
  "private-peering-down": {
    description: "the active circuit's private peering is down, its Microsoft peering up (50 % averaged over peerings)",
    apply: (t) => ({ privatePeeringDown: t ?? ["er-contoso-primary"] }),
  },
  "target-dc-silent": { description: "the target-region DC stopped sending Heartbeat 3 h ago", apply: () => ({ targetDcSilentMinutes: 180 }) },
  "run-command-unavailable": { description: "the target DC's VM agent is not ready", apply: () => ({ runCommandUnavailable: true }) },
  "asr-logs-missing": {
    description: "the vaults send no AzureSiteRecoveryReplicatedItems rows to the RPO rule's workspace",
    apply: () => ({ asrLogs: "none" }),
  },
  "asr-logs-without-rpo": {
    description: "the vaults' AzureSiteRecoveryReplicatedItems rows carry no rpoInSeconds_d",
    apply: () => ({ asrLogs: "withoutRpo" }),
  },
  "dns-high-ttl": { description: "www's TTL raised to 3600 s", apply: (t) => ({ dnsTtl: Object.fromEntries((t ?? ["www"]).map((n) => [n, 3600])) }) },
  ...Object.fromEntries(
    (["throttled", "forbidden", "timeout"] as const).map((fault) => [
      `${fault}-reads`,
      {
        description: `${fault} reads of the given kinds (${HEALTH_READ_KINDS.join(", ")}; default metrics)`,
        apply: (t: readonly string[] | undefined): HealthFaultPlan => ({
          failReads: Object.fromEntries(
            (t ?? ["metrics"]).map((kind) => {
              if (!HEALTH_READ_KINDS.includes(kind as HealthReadKind))
                throw new Error(`unknown read kind '${kind}'; choose from ${HEALTH_READ_KINDS.join(", ")}`);
              return [kind, fault];
            }),
          ),
        }),
      },
    ]),
  ),
};

/** Combines several plans: lists concatenate, maps merge, the last scalar wins. */
export function mergeHealthFaults(plans: readonly HealthFaultPlan[]): HealthFaultPlan {
  const merged: Record<string, unknown> & HealthFaultPlan = {};
  for (const plan of plans) {
    for (const [key, value] of Object.entries(plan)) {
      const current = merged[key];
      if (Array.isArray(value) && Array.isArray(current)) merged[key] = [...(current as unknown[]), ...(value as unknown[])];
      else if (value && typeof value === "object" && !Array.isArray(value) && current && typeof current === "object") merged[key] = { ...current, ...value };
      else merged[key] = value;
    }
  }
  return merged;
}

/** Parses '--problem name[=A,B]' values into one plan. */
export function healthFaultsFromProblems(problems: readonly string[]): HealthFaultPlan {
  return mergeHealthFaults(
    problems.map((spec) => {
      const [name = "", targets] = spec.split("=", 2);
      const problem = HEALTH_PROBLEMS[name];
      if (!problem) throw new Error(`unknown problem '${name}'; choose from: ${Object.keys(HEALTH_PROBLEMS).join(", ")}`);
      return problem.apply(
        targets
          ? targets
              .split(",")
              .map((s) => s.trim())
              .filter(Boolean)
          : undefined,
      );
    }),
  );
}
