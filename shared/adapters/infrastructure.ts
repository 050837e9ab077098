import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient } from "@azure/core-rest-pipeline";
import type { TokenVerifierOptions } from "../auth/tokenVerifier.js";
import type { IncidentCheckMessage } from "../incidents/alertService.js";
import type { BoundaryHook, EngineTiming } from "../runs/engineDeps.js";
import type { HealthReadLimits } from "../health/readHealthSnapshot.js";
import type { NotificationMessage } from "../notifications/notificationMessage.js";
import type { DeliveryPolicy } from "../notifications/notificationWorker.js";
import type { AuditCopy } from "../ports/auditLog.js";
import type { Clock } from "../ports/clock.js";
import type { DirectoryProbePort } from "../ports/directoryProbe.js";
import type { HealthProbePort } from "../ports/healthProbe.js";
import type { Logger } from "../ports/logger.js";
import type { NotifierPort, RunEvent } from "../ports/notifier.js";
import type { QueuePort, StepMessage } from "../ports/queue.js";
import type { StateTablesOptions } from "./stateTables.js";

/**
 * What differs between the Function App in Azure and a local host: where the app's services are
 * and how it reaches them. buildAppRoot wires the same product from either; the Azure one is
 * createAzureInfrastructure, the local one local/localStack.ts (simulated Azure, Azurite,
 * the Service Bus peer).
 */
export interface Infrastructure {
  readonly clock: Clock;
  /** ARM, Monitor, Log Analytics and Resource Health through the real SDK clients. */
  readonly azure: {
    readonly credential: TokenCredential;
    /** Replaces the SDKs' network layer (the simulated Azure); the pipelines stay real. */
    readonly httpClient?: HttpClient;
    readonly retryOptions?: { readonly maxRetries?: number; readonly retryDelayInMs?: number; readonly maxRetryDelayInMs?: number };
  };
  readonly tables: StateTablesOptions;
  readonly queues: {
    readonly steps: QueuePort<StepMessage>;
    readonly checks: QueuePort<IncidentCheckMessage>;
    readonly notifications: QueuePort<NotificationMessage>;
  };
  /** Reachability of recovered endpoints and of the target domain controller, from the app's network. */
  readonly probe: HealthProbePort;
  readonly directory: DirectoryProbePort;
  /** Whose bearer tokens the HTTP API accepts (Entra ID in Azure, the local identity locally). */
  readonly verifier: TokenVerifierOptions;
  readonly notifications: {
    /** ACS e-mail signs in with it. */
    readonly credential: TokenCredential;
    /** Notification retries run on their own clock locally, so they never move failover time. */
    readonly clock: Clock;
    readonly timeoutMs?: number;
    readonly emailHttpClient?: HttpClient;
  };
  /** The write-once copy of the audit trail (Blob Storage), when configured. */
  readonly auditCopy?: AuditCopy;
  /** Local hosts only: observe or steer what the production wiring would otherwise decide. */
  readonly local?: {
    /** Replaces the queue notifier, e.g. to capture run events in a test. */
    readonly notifierFor?: (log: Logger) => NotifierPort;
    /** Told every run event before the notifier gets it (a local host's event list). */
    readonly onEvent?: (event: RunEvent) => void;
    /** The notification worker's retry policy and jitter, and the notifier's enqueue bound. */
    readonly notificationTuning?: { readonly policy?: Partial<DeliveryPolicy>; readonly random?: () => number; readonly enqueueTimeoutMs?: number };
    readonly engineTiming?: Partial<EngineTiming>;
    readonly boundary?: BoundaryHook;
    readonly healthLimits?: Partial<HealthReadLimits>;
    /** How the health check's Run Command reads wait between polls (a simulated clock moves instead of sleeping). */
    readonly healthPause?: (ms: number, signal: AbortSignal) => Promise<void>;
    /** Leave readers out of the health check (its rule tests judge replication alone, as if no drill or channel existed to ask). */
    readonly healthWithout?: readonly ("runHistory" | "notificationChannels")[];
  };
}
