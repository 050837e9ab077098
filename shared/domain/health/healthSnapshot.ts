import type { DcDnsReadResult } from "../adDnsRecords.js";

/**
 * What the health check read, as plain values: the rules' only input besides the estate and the time.
 * Every read is isolated, so each part is either a value or the reason it could not be read.
 */
export type Read<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export const readOk = <T>(value: T): Read<T> => ({ ok: true, value });
export const readFailed = <T = never>(reason: string): Read<T> => ({ ok: false, reason });

/** One ASR health error (HealthError in the ASR API), reduced to what advice needs. */
export interface AsrHealthError {
  readonly code?: string;
  /** errorLevel: 'Error' or 'Warning'. */
  readonly level?: string;
  readonly message: string;
  readonly possibleCauses?: string;
  readonly recommendedAction?: string;
}

export interface NicSettings {
  readonly targetSubnetName?: string;
  readonly targetIpAddress?: string;
  /** InMageRcm's sourceIPAddress: the VM's address on vSphere. */
  readonly sourceIpAddress?: string;
}

/** A replication protected item as listed per vault (VMware-to-Azure provider details flattened). */
export interface ProtectedItemSnapshot {
  /** ARM resource name of the item ('api01-vsphere'). */
  readonly name: string;
  readonly id: string;
  /** The machine name ASR shows ('API01'). */
  readonly friendlyName: string;
  readonly protectionState: string;
  readonly replicationHealth: string;
  readonly activeLocation: string;
  /** currentScenario.scenarioName: 'TestFailover' from a test failover until its cleanup (asr-protecteditem-testfailover.json). */
  readonly currentScenario?: string;
  /** What ASR allows next; 'TestFailoverCleanup' means a test VM exists that nobody cleaned up yet. */
  readonly allowedOperations?: readonly string[];
  readonly testFailoverState?: string;
  readonly healthErrors: readonly AsrHealthError[];
  readonly lastSuccessfulTestFailoverTime?: Date;
  readonly policyId?: string;
  /** providerSpecificDetails.instanceType ('InMageRcm'...). */
  readonly provider: string;
  readonly lastRecoveryPointReceived?: Date;
  readonly lastRpoInSeconds?: number;
  readonly lastRpoCalculatedTime?: Date;
  readonly agent: {
    readonly version?: string;
    readonly latestVersion?: string;
    readonly lastHeartbeat?: Date;
    readonly expiresOn?: Date;
  };
  readonly target: {
    readonly vmName?: string;
    readonly vmSize?: string;
    readonly networkId?: string;
    readonly resourceGroupId?: string;
    readonly primaryNic?: NicSettings;
  };
}

/** The recovery points of one item, summarised (the list is read once per item). */
export interface RecoveryPointSummary {
  readonly count: number;
  readonly oldest?: Date;
  readonly newestCrashConsistent?: Date;
  readonly newestAppConsistent?: Date;
}

export interface RecoveryPlanSnapshot {
  readonly name: string;
  /** The 'Boot' groups in order; each holds protected item ids (lower case). */
  readonly bootGroups: readonly (readonly string[])[];
}

export interface PolicySnapshot {
  readonly id: string;
  readonly name: string;
  readonly retentionMinutes?: number;
  readonly appConsistentFrequencyMinutes?: number;
  readonly crashConsistentFrequencyMinutes?: number;
}

export interface VaultSnapshot {
  readonly items: Read<readonly ProtectedItemSnapshot[]>;
  readonly recoveryPlans: Read<readonly RecoveryPlanSnapshot[]>;
  readonly policies: Read<readonly PolicySnapshot[]>;
}

/** Average availability (%) of a circuit over the window read; null when Monitor had no data point. */
export interface CircuitAvailability {
  readonly bgpPercent: number | null;
  readonly arpPercent: number | null;
  readonly windowMinutes: number;
}

/** The Azure VM agent as the VM's instance view reports it (Run Command needs it Ready). */
export interface VmAgentState {
  readonly exists: boolean;
  readonly powerState?: string;
  /** vmAgent.statuses[0].displayStatus ('Ready', 'Not Ready'). */
  readonly agentStatus?: string;
  readonly agentVersion?: string;
}

export interface DnsRecordState {
  readonly addresses: readonly string[];
  readonly ttl: number;
}

/** A notification channel's state, as the notification service tracks it. */
export interface NotificationChannelState {
  readonly channel: string;
  readonly state: "healthy" | "degraded" | "failing" | "misconfigured";
  /** The last error or the setting problems, in words. */
  readonly detail?: string;
}

/** What one vault sent to the workspace as AzureSiteRecoveryReplicatedItems (AzureDiagnostics), per replication provider. */
export interface AsrLogCoverage {
  /** The vault's name as AzureDiagnostics.Resource carries it, lower case. */
  readonly vault: string;
  /** replicationProviderName_s ('InMageRcm'...); '' when the rows carry none. */
  readonly provider: string;
  readonly rows: number;
  /** Rows with an rpoInSeconds_d value, the column the RPO alert rule compares. */
  readonly rowsWithRpo: number;
  readonly newest: Date | null;
}

/**
 * One run's in-guest checks on one VM (its guestChecks step: one Run Command), from the product's own
 * run history. A drill ran it on the test VM, a real failover on the recovered VM; either proves
 * (or disproves) that the Azure VM agent runs in what ASR recovers from the vSphere VM.
 */
export interface GuestRunEvidence {
  readonly runId: string;
  readonly mode: "test" | "unplanned";
  readonly runStatus: "running" | "succeeded" | "failed" | "cancelled";
  readonly runStartedAt: Date;
  readonly runFailureReason?: string;
  /** Estate VM name. */
  readonly vm: string;
  /** The step's status ('succeeded', 'failed', 'pending' when the run never reached it...). */
  readonly stepStatus: string;
  readonly finishedAt?: Date;
  /** The VM the command ran on: the drill's test VM (recorded by its failover step) or the recovered VM. */
  readonly targetVmId?: string;
  /** What the step said: its detail when it succeeded, its error when it failed or is being retried. */
  readonly detail?: string;
}

/** One Compute usage row of a region (Usage_List): a vCPU quota, per VM family or the regional total ('cores'). */
export interface QuotaUsage {
  /** name.value: 'cores', 'standardDSv5Family'... */
  readonly name: string;
  /** name.localizedValue: 'Total Regional vCPUs', 'Standard DSv5 Family vCPUs'... */
  readonly localizedName: string;
  readonly currentValue: number;
  readonly limit: number;
}

/** A VM size as the region's resource SKUs describe it (family and vCPUs capability); `restricted` when not offered to the subscription. */
export interface VmSizeInfo {
  readonly family: string;
  readonly vCpus: number;
  readonly restricted?: string;
}

/** A target region's vCPU quotas and the VM sizes it offers, by size name in lower case. */
export interface RegionCapacity {
  readonly usages: readonly QuotaUsage[];
  readonly sizes: Readonly<Record<string, VmSizeInfo>>;
}

/** A recovery VNet's DNS servers, in the order its DHCP hands them out; empty: Azure-provided DNS. */
export interface VnetDnsState {
  readonly dnsServers: readonly string[];
}

/** A user-defined route as the route table holds it. */
export interface RouteState {
  readonly addressPrefix: string;
  readonly nextHopType: string;
  readonly nextHopIpAddress: string;
}

/** The primary NIC of a recovered NAT/firewall VM. */
export interface NatNicState {
  readonly privateIpAddress: string;
  readonly enableIpForwarding: boolean;
}

export interface HealthSnapshot {
  readonly takenAt: Date;
  /** By estate vault key. */
  readonly vaults: Readonly<Record<string, VaultSnapshot>>;
  /** By estate VM name; absent when the VM's item was not found (nothing to list). */
  readonly recoveryPoints: Readonly<Record<string, Read<RecoveryPointSummary>>>;
  /** By circuit resource id (lower case). */
  readonly circuits: Readonly<Record<string, Read<CircuitAvailability>>>;
  /** Newest Heartbeat of the target DC (null: none in the window); undefined: no workspace configured. */
  readonly targetDcHeartbeat: Read<Date | null> | undefined;
  /** By dnsRecordKey(); null value: the record set does not exist. */
  readonly dns: Readonly<Record<string, Read<DnsRecordState | null>>>;
  /** By VM resource id (lower case): the target DC and the recovered VMs that exist. */
  readonly vmAgents: Readonly<Record<string, Read<VmAgentState>>>;
  /** The vaults' AzureSiteRecoveryReplicatedItems rows in the RPO rule's workspace; undefined when no such workspace is configured. */
  readonly asrLogCoverage?: Read<readonly AsrLogCoverage[]>;
  /** In-guest check steps of the most recent drills and failovers; undefined when the run history is not wired. */
  readonly recentRuns?: Read<readonly GuestRunEvidence[]>;
  /** By target region (lower case): vCPU quotas and VM sizes; undefined when the Compute reads are not wired. */
  readonly capacity?: Readonly<Record<string, Read<RegionCapacity>>>;
  /** The notification channels' state; undefined when notifications are not wired. */
  readonly notificationChannels?: Read<readonly NotificationChannelState[]>;
  /** The target DC's DNS server, read with Run Command: AD records, forwarders; undefined when not wired or nothing to read. */
  readonly domainControllerDns?: Read<DcDnsReadResult>;
  /** By VNet id (lower case): the recovery VNets the items name; null value: the VNet does not exist. Undefined when not wired. */
  readonly vnets?: Readonly<Record<string, Read<VnetDnsState | null>>>;
  /** By routeStateKey(); null value: the route does not exist. Undefined when not wired. */
  readonly routes?: Readonly<Record<string, Read<RouteState | null>>>;
  /** By estate VM name: the NICs of recovered NAT/firewall VMs that routes go through. */
  readonly natNics?: Readonly<Record<string, Read<NatNicState>>>;
}

export function routeStateKey(route: { readonly resourceGroup: string; readonly routeTable: string; readonly route: string }): string {
  return `${route.resourceGroup}/${route.routeTable}/${route.route}`.toLowerCase();
}

export function dnsRecordKey(record: { readonly zoneType: string; readonly zone: string; readonly name: string }): string {
  return `${record.zoneType}/${record.zone}/${record.name}`.toLowerCase();
}
