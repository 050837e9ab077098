/** Green: a failover would work. Amber: it would, but something is drifting. Red: it would not (or lose too much). Unknown: could not check. */
export type CheckStatus = "green" | "amber" | "red" | "unknown";

/** Worst first for the overall verdict: a check that could not run never passes for green. */
const SEVERITY: Readonly<Record<CheckStatus, number>> = { green: 0, unknown: 1, amber: 2, red: 3 };

export function worst(statuses: Iterable<CheckStatus>): CheckStatus {
  let result: CheckStatus = "green";
  for (const s of statuses) if (SEVERITY[s] > SEVERITY[result]) result = s;
  return result;
}

/** What to do about a finding, in plain words, with where it comes from. */
export interface Advice {
  /** Catalogue entry id ('asr-78144-app-consistency', 'unknown-asr-error'...). */
  readonly id: string;
  readonly title: string;
  readonly steps: readonly string[];
  /** The documentation page the advice is based on. */
  readonly reference: string;
  /** The ASR error code the advice was matched from, when it came from a health error. */
  readonly errorCode?: string;
  /** For an error the catalogue does not know: ASR's own words, shown as they are. */
  readonly verbatim?: string;
}

export type VmCheckKind =
  "inventory" | "replication" | "rpo" | "appConsistency" | "retention" | "mobilityAgent" | "testFailover" | "targetSettings" | "guestAgent";
export type EstateCheckKind =
  | "expressRoute"
  | "targetDc"
  | "dns"
  | "inventoryDrift"
  | "recoveryPlan"
  | "replicationPolicy"
  | "runCommand"
  | "notifications"
  | "rpoAlert"
  | "leftoverTestVms"
  | "capacity"
  | "dnsForwarder"
  | "vnetDns"
  | "routes";
export type CheckKind = VmCheckKind | EstateCheckKind;

export interface HealthCheck {
  /** Stable across runs: 'vm/API01/rpo', 'estate/dns/private/corp.contoso.internal/api'. */
  readonly id: string;
  readonly kind: CheckKind;
  /** What the check looked at: a VM name, a circuit, a record, a vault. */
  readonly subject: string;
  readonly title: string;
  readonly status: CheckStatus;
  /** Why, with the figures that led there. */
  readonly reason: string;
  readonly advice: readonly Advice[];
}

export interface VmHealth {
  readonly vm: string;
  readonly tier: string;
  readonly vault: string;
  readonly status: CheckStatus;
  readonly checks: readonly HealthCheck[];
}

export type StatusCounts = Readonly<Record<CheckStatus, number>>;

/** The nightly report: the JSON contract of `reports/health-<timestamp>.json` and the source of the HTML page. */
export interface HealthReport {
  readonly reportId: string;
  readonly estate: string;
  /** What started it: 'timer', 'cli', 'admin'... */
  readonly trigger: string;
  /** The timer fired late for a missed occurrence (the Functions host's isPastDue). */
  readonly isPastDue: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly overall: CheckStatus;
  /** Checks per status, VM and estate checks together. */
  readonly counts: StatusCounts;
  /** One line for a notification. */
  readonly summary: string;
  readonly vms: readonly VmHealth[];
  readonly estateChecks: readonly HealthCheck[];
  /** The thresholds the rules applied, so a reader can tell why amber is amber. */
  readonly thresholds: Readonly<Record<string, number>>;
}
