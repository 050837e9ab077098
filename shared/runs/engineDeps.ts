import type { Random } from "../ports/random.js";
import type { ArmBudgetPort } from "../ports/armBudget.js";
import type { Estate } from "../domain/estate.js";
import type { AuditLog } from "../ports/auditLog.js";
import type { Clock } from "../ports/clock.js";
import type { DirectoryProbePort } from "../ports/directoryProbe.js";
import type { DnsPort } from "../ports/dns.js";
import type { GuestCommandPort } from "../ports/guestCommands.js";
import type { HealthProbePort } from "../ports/healthProbe.js";
import type { Logger } from "../ports/logger.js";
import type { NicPort } from "../ports/nics.js";
import type { NotifierPort } from "../ports/notifier.js";
import type { QueuePort } from "../ports/queue.js";
import type { RoutePort } from "../ports/routes.js";
import type { RunRecord, RunStore } from "../ports/runStore.js";
import type { SiteRecoveryPort } from "../ports/siteRecovery.js";

/** ASR's job scenario names the engine follows (see executors/asrOperation.ts). */
export type FollowedScenario =
  "UnplannedFailover" | "TestFailover" | "CommitFailover" | "TestFailoverCleanup" | "SwitchReplicationGroupProtection" | "PlannedFailover";

export interface EngineTiming {
  /** Between two reads of a running ASR job by its own step (when the vault's job list did not name it). */
  readonly jobPollSeconds: number;
  /** Between two lists of a vault's jobs while some job there runs past its expected duration. */
  readonly vaultPollSeconds: number;
  /** How long each kind of ASR job usually takes: the vault's jobs are first listed when the earliest is due. */
  readonly expectedJobSeconds: Readonly<Record<FollowedScenario, number>>;
  /** Between two reads of an item replicating back to vSphere, until it is ready for its failback (hours, not minutes). */
  readonly failbackReplicationPollSeconds: number;
  /** How long a Run Command usually takes: its first poll waits this long. */
  readonly guestCommandSeconds: number;
  /** Between two reads of a Run Command or route update in progress. */
  readonly operationPollSeconds: number;
  /** First retry delay of a retryable failure; doubles per attempt, with jitter, up to the cap. */
  readonly retryBaseSeconds: number;
  readonly retryCapSeconds: number;
  /** Executions of one step before a retryable failure fails the run. */
  readonly maxAttempts: number;
  /** Checks retry longer: an application or VM agent may take a few minutes to start. */
  readonly probeAttempts: number;
  /** Wait before retrying a Run Command that Azure refused because another one is running. */
  readonly guestBusySeconds: number;
}

export const DEFAULT_TIMING: EngineTiming = {
  jobPollSeconds: 15,
  // ASR answers every action with Retry-After: 30 (recorded, test/fixtures/azure/asr-inmagercm-recorded-details.md).
  vaultPollSeconds: 30,
  // Recorded InMageRcm jobs (asr-inmagercm-recorded-details.md): unplanned failover 06:51:51 -> 06:59:39 and
  // test failover 06:35:54 -> 06:43:46 (about 8 min), cleanup 06:43:47 -> 06:45:33 (under 2 min), commit
  // Succeeded on its second poll within the same second. No reprotect and no failback (planned failover) was
  // recorded to its end: 10 min for a reprotect and 8 min, like a failover, for a planned failover back are guesses.
  expectedJobSeconds: {
    UnplannedFailover: 480,
    TestFailover: 480,
    TestFailoverCleanup: 100,
    CommitFailover: 30,
    SwitchReplicationGroupProtection: 600,
    PlannedFailover: 480,
  },
  // Initial replication back to vSphere copies whole disks: a read every 5 minutes shows its progress soon enough.
  failbackReplicationPollSeconds: 300,
  // Not recorded: a Run Command script of a few checks usually answers within a minute.
  guestCommandSeconds: 60,
  operationPollSeconds: 5,
  retryBaseSeconds: 10,
  retryCapSeconds: 120,
  maxAttempts: 5,
  probeAttempts: 12,
  guestBusySeconds: 30,
};

/**
 * A named point between two durable actions of the engine. Tests make it throw to prove that a
 * crash at any boundary, followed by redelivery, neither repeats a side effect nor loses a step.
 */
export type BoundaryHook = (boundary: string, context: { runId: string; stepId?: string; fields?: readonly string[] }) => void;

export interface EngineDeps {
  readonly estate: Estate;
  readonly store: RunStore;
  readonly queue: QueuePort;
  readonly clock: Clock;
  readonly siteRecovery: SiteRecoveryPort;
  readonly dns: DnsPort;
  readonly guest: GuestCommandPort;
  readonly routes: RoutePort;
  /** NICs of recovered NAT/firewall VMs: IP forwarding and the address routes point at. */
  readonly nics: NicPort;
  readonly probe: HealthProbePort;
  /** The target DC's locator records, LDAP and Kerberos, read over the network. */
  readonly directory: DirectoryProbePort;
  readonly notifier: NotifierPort;
  readonly log: Logger;
  readonly timing?: Partial<EngineTiming>;
  readonly boundary?: BoundaryHook;
  /** Run ids and retry jitter (default: crypto and Math.random). */
  readonly random?: Random;
  /** Step outcomes and run endings are appended here (who: 'system'); absent: not audited. */
  readonly audit?: AuditLog;
  /** The subscription's ARM request budget (absent: never paced). */
  readonly armBudget?: ArmBudgetPort;
  /** Told each run's end before the run lock is released, so a crash before it is repeated by redelivery (a failed drill's cleanup timer). */
  readonly onRunEnd?: (run: RunRecord) => Promise<void>;
}
