import { AzureNamedKeyCredential } from "@azure/data-tables";
import { randomBytes } from "node:crypto";
import { createAzurePorts, type AzurePorts } from "../shared/adapters/azurePorts.js";
import { openTable } from "../shared/adapters/stateTables.js";
import { createTableAuditLog } from "../shared/adapters/tableAuditLog.js";
import { createTableRunStore } from "../shared/adapters/tableRunStore.js";
import type { AuditLog } from "../shared/ports/auditLog.js";
import type { Estate } from "../shared/domain/estate.js";
import type { EngineTiming, BoundaryHook } from "../shared/engine/engineDeps.js";
import { createEngine, type Engine } from "../shared/engine/engine.js";
import type { Logger } from "../shared/ports/logger.js";
import type { NotifierPort } from "../shared/ports/notifier.js";
import type { RunStore } from "../shared/ports/runStore.js";
import { AZURITE_ACCOUNT, AZURITE_KEY } from "./azurite.js";
import { startLocalServiceBus, type LocalServiceBus } from "./serviceBus/localServiceBus.js";
import { createSimulatedAzure, type FaultPlan, type JobDurations, type SimulatedAzure } from "./simulated-azure/simulatedAzure.js";
import { SimulatedClock } from "./simulatedClock.js";

/** The Service Bus settings the product deploys (infra) and the trigger uses (host.json). */
export const QUEUE_SETTINGS = { maxDeliveryCount: 10, duplicateWindowMs: 24 * 3_600_000, maxConcurrentCalls: 16 } as const;

export interface LocalStackOptions {
  readonly estate: Estate;
  readonly tableEndpoint: string;
  readonly faults?: FaultPlan;
  readonly durations?: Partial<JobDurations>;
  /** false: time moves only between deliveries (deterministic tests). */
  readonly realTime?: boolean;
  readonly log: Logger;
  readonly notifier: NotifierPort;
  readonly timing?: Partial<EngineTiming>;
  readonly boundary?: BoundaryHook;
  readonly start?: Date;
}

export interface LocalStack {
  readonly estate: Estate;
  readonly engine: Engine;
  /** The ARM adapters over simulated Azure (the alert policy reads recovery points through them). */
  readonly ports: AzurePorts;
  /** Prefix of this stack's tables in the shared Azurite account. */
  readonly tablePrefix: string;
  readonly store: RunStore;
  /** The estate's append-only audit (the engine writes step outcomes to it). */
  readonly audit: AuditLog;
  /** The step queue: the production Service Bus adapter over the local AMQP peer. */
  readonly queue: LocalServiceBus;
  readonly clock: SimulatedClock;
  readonly azure: SimulatedAzure;
  /** Delivers step messages, as the Functions host would, until the queue is empty. */
  drain(): Promise<void>;
  /** Closes the Service Bus connection and the peer. */
  stop(): Promise<void>;
}

/**
 * The product's real engine, adapters and ARM SDK clients, wired to simulated Azure (through the
 * SDKs' httpClient), Table Storage on Azurite and the local Service Bus peer.
 */
export async function createLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const clock = new SimulatedClock(options.start ?? new Date(), { realTime: options.realTime ?? true });
  const azure = createSimulatedAzure({
    estate: options.estate,
    clock,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.durations ? { durations: options.durations } : {}),
  });
  const ports = createAzurePorts({
    credential: azure.credential,
    subscriptionId: options.estate.subscriptionId,
    httpClient: azure.httpClient,
    // Keep the SDK's own retries (Retry-After, 5xx backoff) but with short real delays locally.
    retryOptions: { maxRetries: 3, retryDelayInMs: 5, maxRetryDelayInMs: 50 },
  });
  const tablePrefix = `t${randomBytes(4).toString("hex")}`;
  const tables = { endpoint: options.tableEndpoint, credential: new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY), clientOptions: { allowInsecureConnection: true }, tablePrefix };
  const [store, auditTable] = await Promise.all([createTableRunStore(tables), openTable(tables, "audit")]);
  const audit = createTableAuditLog({ table: auditTable, estate: options.estate.name });
  const queue = await startLocalServiceBus({ clock, maxDeliveryCount: QUEUE_SETTINGS.maxDeliveryCount, duplicateWindowMs: QUEUE_SETTINGS.duplicateWindowMs });
  const engine = createEngine({
    estate: options.estate,
    store,
    queue,
    clock,
    ...ports,
    probe: azure.probe,
    directory: azure.directory,
    notifier: options.notifier,
    log: options.log,
    audit,
    ...(options.timing ? { timing: options.timing } : {}),
    ...(options.boundary ? { boundary: options.boundary } : {}),
  });
  return {
    estate: options.estate,
    engine,
    ports,
    tablePrefix,
    store,
    audit,
    queue,
    clock,
    azure,
    stop: () => queue.stop(),
    drain: () =>
      queue.drain({
        handler: (message) => engine.handleStepMessage(message),
        onDeadLetter: (message, reason) => engine.handleDeadLetter(message, reason),
        concurrency: QUEUE_SETTINGS.maxConcurrentCalls,
      }),
  };
}
