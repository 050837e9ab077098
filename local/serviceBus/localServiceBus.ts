import { ServiceBusClient } from "@azure/service-bus";
import { createServiceBusQueue, SERVICE_BUS_CLIENT_OPTIONS } from "../../shared/adapters/serviceBusQueue.js";
import { STEP_QUEUE_NAME } from "../../shared/config/names.js";
import { parseStepMessage } from "../../shared/runs/stepMessage.js";
import type { OutgoingMessage, QueuePort, StepMessage } from "../../shared/ports/queue.js";
import type { SimulatedClock } from "../simulatedClock.js";
import { drainQueue, type DrainOptions } from "./drainQueue.js";
import { HOST_JSON, readTriggerSettings } from "./hostSettings.js";
import { decodeBody } from "./peer/messageCodec.js";
import type { EntityStats, QueueEntity } from "./peer/queueEntity.js";
import { startServiceBusPeer, type ServiceBusPeer } from "./peer/serviceBusPeer.js";

export type { DrainOptions } from "./drainQueue.js";

export interface LocalQueueOptions<T> {
  readonly name: string;
  readonly maxDeliveryCount: number;
  readonly duplicateWindowMs: number;
  /** The queue's lock duration; infra deploys PT1M. */
  readonly lockDurationMs?: number;
  /** Validates a received body, as the queue's function does before handling it. */
  readonly parse: (body: unknown) => T;
}

export interface DeadLetteredMessage {
  readonly messageId: string | undefined;
  /** The body as the SDK decodes it (JSON). */
  readonly message: unknown;
  readonly reason: string;
  readonly description: string;
}

/** One queue on the peer: the production adapter for sending, plus what drills and tests inspect and drive. */
export interface LocalQueue<T> extends QueuePort<T> {
  readonly name: string;
  /** The production adapter over a real ServiceBusSender; `send` goes through it. */
  readonly adapter: QueuePort<T>;
  /** The broker's counters for the queue (live). */
  readonly stats: Readonly<EntityStats>;
  /** Every message the queue dead-lettered, with the reason the broker recorded. */
  readonly deadLetters: readonly DeadLetteredMessage[];
  /** Messages in the queue, scheduled and locked ones included. */
  readonly size: number;
  /** The broker's side of the queue (its dead-letter queue is `.deadLetterQueue`): what a state directory saves and restores. */
  readonly entity: QueueEntity;
  /** The peer the queue lives on (its onChange tells of every change to the queue). */
  readonly peer: ServiceBusPeer;
  /** Delivers messages as the Functions host would (host.json settings) until the queue and its dead-letter queue are empty. */
  drain(options: DrainOptions<T>): Promise<void>;
}

/** A namespace on the peer: queues created in it are reached through one real ServiceBusClient. */
export interface LocalNamespace {
  readonly connectionString: string;
  readonly peer: ServiceBusPeer;
  /** Creates a queue and opens its sender's link, as a warm Function App has it. */
  addQueue<T>(options: LocalQueueOptions<T>): Promise<LocalQueue<T>>;
  /** Closes the client and the peer. */
  stop(): Promise<void>;
}

export interface LocalNamespaceOptions {
  /** Scheduled enqueue, lock expiry and the duplicate window run on this clock. */
  readonly clock: SimulatedClock;
  readonly hostJson?: URL | string;
  /** A drain fails instead of hanging after this long without progress while no handler runs. */
  readonly stallTimeoutMs?: number;
}

/** The step queue and the namespace it lives in (the incident-check queue joins it). */
export type LocalServiceBus = LocalQueue<StepMessage> & LocalNamespace;

export interface LocalServiceBusOptions extends LocalNamespaceOptions {
  /** The step queue (default STEP_QUEUE_NAME). */
  readonly queueName?: string;
  readonly maxDeliveryCount: number;
  readonly duplicateWindowMs: number;
  readonly lockDurationMs?: number;
}

/**
 * Service Bus for the drill, the sandbox and the tests: the AMQP peer on 127.0.0.1 and the real
 * `@azure/service-bus` adapter talking to it, so every send takes the code path that runs in Azure.
 */
export async function startLocalNamespace(options: LocalNamespaceOptions): Promise<LocalNamespace> {
  const settings = await readTriggerSettings(options.hostJson ?? HOST_JSON);
  const peer = await startServiceBusPeer({ clock: options.clock });
  const client = new ServiceBusClient(peer.connectionString, SERVICE_BUS_CLIENT_OPTIONS);
  // Stopping ends every drain between deliveries, so a stop does not wait for a whole run to finish.
  const stopping = new AbortController();
  const drains = new Set<Promise<void>>();

  async function addQueue<T>(queueOptions: LocalQueueOptions<T>): Promise<LocalQueue<T>> {
    const { name, parse } = queueOptions;
    const entity = peer.addQueue({
      name,
      maxDeliveryCount: queueOptions.maxDeliveryCount,
      duplicateWindowMs: queueOptions.duplicateWindowMs,
      lockDurationMs: queueOptions.lockDurationMs ?? 60_000,
    });
    const sender = client.createSender(name);
    // Opens the connection, the $cbs token and the link now, so the first send of a run does not pay for it.
    await sender.createMessageBatch();
    const adapter = createServiceBusQueue<T>({ sender, what: name });
    const deps = { peer, queue: entity, clock: options.clock, settings, parse, stallTimeoutMs: options.stallTimeoutMs ?? 30_000, signal: stopping.signal };
    return {
      name,
      adapter,
      // A property, not a method: callers (tests) may wrap it, and the engine then sends through the wrapper.
      send: (messages: readonly OutgoingMessage<T>[]) => adapter.send(messages),
      stats: entity.stats,
      get deadLetters() {
        return entity.deadLetterLog.map((r) => ({ messageId: r.messageId, message: decodeBody(r.message), reason: r.reason, description: r.description }));
      },
      get size() {
        return entity.size;
      },
      entity,
      peer,
      drain: (drainOptions) => {
        const drain = drainQueue(deps, drainOptions);
        drains.add(drain);
        void drain.finally(() => drains.delete(drain)).catch(() => undefined);
        return drain;
      },
    };
  }

  return {
    connectionString: peer.connectionString,
    peer,
    addQueue,
    async stop() {
      stopping.abort();
      await Promise.allSettled([...drains]);
      await client.close();
      await peer.close();
    },
  };
}

/** A namespace with the step queue in it: what the engine's stack sends to. */
export async function startLocalServiceBus(options: LocalServiceBusOptions): Promise<LocalServiceBus> {
  const namespace = await startLocalNamespace(options);
  const { maxDeliveryCount, duplicateWindowMs, lockDurationMs } = options;
  const steps = await namespace.addQueue({
    name: options.queueName ?? STEP_QUEUE_NAME,
    maxDeliveryCount,
    duplicateWindowMs,
    ...(lockDurationMs !== undefined ? { lockDurationMs } : {}),
    parse: parseStepMessage,
  });
  return Object.assign(steps, namespace);
}
