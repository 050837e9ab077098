import { ServiceBusClient } from "@azure/service-bus";
import { createServiceBusQueue } from "../../shared/adapters/serviceBusQueue.js";
import { STEP_QUEUE_NAME } from "../../shared/config/names.js";
import { parseStepMessage } from "../../shared/engine/stepMessage.js";
import type { OutgoingMessage, QueuePort, StepMessage } from "../../shared/ports/queue.js";
import type { SimulatedClock } from "../simulatedClock.js";
import { drainQueue, type DrainOptions } from "./drainQueue.js";
import { HOST_JSON, readTriggerSettings } from "./hostSettings.js";
import { decodeBody } from "./peer/messageCodec.js";
import type { EntityStats } from "./peer/queueEntity.js";
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

/** One queue on the peer, with the in-process queue's shape: send, drain, stats, deadLetters, size. */
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
  /** Delivers messages as the Functions host would (host.json settings) until the queue and its dead-letter queue are empty. */
  drain(options: DrainOptions<T>): Promise<void>;
}

export interface LocalServiceBus extends LocalQueue<StepMessage> {
  readonly connectionString: string;
  readonly peer: ServiceBusPeer;
  /** Another queue in the same namespace (incident checks, notifications). */
  addQueue<T>(options: LocalQueueOptions<T>): LocalQueue<T>;
  stop(): Promise<void>;
}

export interface LocalServiceBusOptions {
  /** Scheduled enqueue, lock expiry and the duplicate window run on this clock. */
  readonly clock: SimulatedClock;
  /** The step queue (default STEP_QUEUE_NAME). */
  readonly queueName?: string;
  readonly maxDeliveryCount: number;
  readonly duplicateWindowMs: number;
  readonly lockDurationMs?: number;
  readonly hostJson?: URL | string;
  /** A drain fails instead of hanging after this long without progress while no handler runs. */
  readonly stallTimeoutMs?: number;
}

/**
 * Service Bus for the drill, the sandbox and the tests: the AMQP peer on 127.0.0.1 and the real
 * `@azure/service-bus` adapter talking to it, so every send takes the code path that runs in Azure.
 */
export async function startLocalServiceBus(options: LocalServiceBusOptions): Promise<LocalServiceBus> {
  const settings = await readTriggerSettings(options.hostJson ?? HOST_JSON);
  const peer = await startServiceBusPeer({ clock: options.clock });
  const client = new ServiceBusClient(peer.connectionString);

  function addQueue<T>(queueOptions: LocalQueueOptions<T>, sender = client.createSender(queueOptions.name)): LocalQueue<T> {
    const { name, parse } = queueOptions;
    const entity = peer.addQueue({ name, maxDeliveryCount: queueOptions.maxDeliveryCount, duplicateWindowMs: queueOptions.duplicateWindowMs, lockDurationMs: queueOptions.lockDurationMs ?? 60_000 });
    const adapter = createServiceBusQueue<T>({ sender, what: name });
    const deps = { peer, queue: entity, clock: options.clock, settings, parse, stallTimeoutMs: options.stallTimeoutMs ?? 30_000 };
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
      drain: (drainOptions) => drainQueue(deps, drainOptions),
    };
  }

  const stepQueue = options.queueName ?? STEP_QUEUE_NAME;
  const stepSender = client.createSender(stepQueue);
  const steps = addQueue({ name: stepQueue, maxDeliveryCount: options.maxDeliveryCount, duplicateWindowMs: options.duplicateWindowMs, lockDurationMs: options.lockDurationMs, parse: parseStepMessage }, stepSender);
  // Opens the connection, the $cbs token and the link now, as a warm Function App has them, so a run does not pay for it.
  await stepSender.createMessageBatch();
  return Object.assign(steps, {
    connectionString: peer.connectionString,
    peer,
    addQueue: <T>(queueOptions: LocalQueueOptions<T>) => addQueue(queueOptions),
    async stop() {
      await client.close();
      await peer.close();
    },
  });
}
