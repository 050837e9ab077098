import type { AddressInfo, Server, Socket } from "node:net";
import rhea, { type EventContext, type Sender, type ServerConnectionOptions } from "rhea";
import type { Clock } from "../../../shared/ports/clock.js";
import { answerEveryBurst } from "./answerEveryBurst.js";
import { ChangeSignal } from "./changeSignal.js";
import type { ConsumerLink } from "./consumerLink.js";
import { attachLinkHandlers } from "./linkHandlers.js";
import { QueueEntity } from "./queueEntity.js";
import type { SharedAccessKey } from "./sasToken.js";

export interface PeerQueueOptions {
  readonly name: string;
  readonly maxDeliveryCount: number;
  readonly duplicateWindowMs: number;
  readonly lockDurationMs: number;
}

export interface ServiceBusPeerOptions {
  /** Scheduled enqueue times, lock expiry and duplicate windows are read from this clock. */
  readonly clock: Clock;
  readonly queues?: readonly PeerQueueOptions[];
  readonly sharedAccessKey?: SharedAccessKey;
}

export interface ServiceBusPeer {
  /** `UseDevelopmentEmulator=true`: the SDK speaks plain AMQP over TCP to the endpoint's port. */
  readonly connectionString: string;
  /** Creates a queue (and its dead-letter queue) in the namespace. */
  addQueue(options: PeerQueueOptions): QueueEntity;
  /** The queue entity (its dead-letter queue is `.deadLetterQueue`); throws for an unknown name. */
  queue(name: string): QueueEntity;
  /** Resolves at the next change of any entity or link. */
  nextChange(): Promise<void>;
  /** Calls `listener` on every change of any entity or link, until unsubscribed. */
  onChange(listener: () => void): () => void;
  /** Brings every entity up to the clock (due scheduled messages, expired locks) and delivers. */
  refresh(): void;
  /**
   * Breaks every client connection and keeps the queues, as a broker that fails over or a network
   * that drops does (Service Bus documents connection loss as transient; the SDK reconnects and retries).
   */
  dropConnections(): void;
  close(): Promise<void>;
}

/** The key the Service Bus emulator documents for local use; the peer checks signatures made with it. */
export const DEVELOPMENT_KEY: SharedAccessKey = { name: "RootManageSharedAccessKey", key: "SAS_KEY_VALUE" };

/**
 * A Service Bus-compatible AMQP 1.0 peer on 127.0.0.1 for the real `@azure/service-bus` SDK:
 * SASL ANONYMOUS, claims-based security on `$cbs`, sender and receiver links on each queue and its
 * dead-letter queue, and the queue's `$management` node (linkHandlers.ts). Entities keep the
 * broker's state on the given clock (queueEntity.ts); this file runs the server, delivers what
 * becomes available, and wakes up when something comes due while real time passes.
 */
export async function startServiceBusPeer(options: ServiceBusPeerOptions): Promise<ServiceBusPeer> {
  const key = options.sharedAccessKey ?? DEVELOPMENT_KEY;
  const changes = new ChangeSignal();
  const entities = new Map<string, QueueEntity>();
  const queues = new Map<string, QueueEntity>();
  const consumers = new Map<Sender, ConsumerLink>();
  const sockets = new Set<Socket>();
  let pumpScheduled = false;
  let timer: NodeJS.Timeout | undefined;
  let armedFor: number | undefined;
  let closed = false;

  const changed = (): void => {
    schedulePump();
    changes.notify();
  };
  function addQueue(queue: PeerQueueOptions): QueueEntity {
    if (queues.has(queue.name.toLowerCase())) throw new Error(`the peer already has a queue '${queue.name}'`);
    const dlq = new QueueEntity({ path: `${queue.name}/$DeadLetterQueue`, clock: options.clock, lockDurationMs: queue.lockDurationMs, onChange: changed });
    const entity = new QueueEntity({ ...queue, path: queue.name, clock: options.clock, deadLetterQueue: dlq, onChange: changed });
    queues.set(queue.name.toLowerCase(), entity);
    entities.set(entity.path.toLowerCase(), entity);
    entities.set(dlq.path.toLowerCase(), dlq);
    return entity;
  }
  for (const queue of options.queues ?? []) addQueue(queue);

  function schedulePump(): void {
    if (pumpScheduled) return;
    pumpScheduled = true;
    // After rhea has written pending transfers (process.nextTick), so link credit is current.
    setImmediate(() => {
      pumpScheduled = false;
      for (const consumer of consumers.values()) consumer.pump();
      armTimer();
    });
  }

  /** Wakes the peer when a scheduled message comes due or a lock expires with real time passing. */
  function armTimer(): void {
    const next = Math.min(...[...entities.values()].map((e) => e.nextTimeout() ?? Infinity));
    if (next === armedFor || closed) return;
    if (timer) clearTimeout(timer);
    armedFor = next;
    if (!Number.isFinite(next)) return;
    const delay = Math.min(Math.max(next - options.clock.now().getTime(), 10), 60_000);
    timer = setTimeout(() => {
      armedFor = undefined;
      refresh();
    }, delay).unref();
  }

  function refresh(): void {
    for (const entity of entities.values()) entity.refresh();
    schedulePump();
  }

  const container = rhea.create_container({ id: "local-service-bus-peer" });
  (container.sasl_server_mechanisms as { enable_anonymous(): void }).enable_anonymous();
  attachLinkHandlers(container, { key, clock: options.clock, entities, consumers, changed, notify: () => changes.notify() });
  container.on("sendable", schedulePump);
  container.on("sender_flow", schedulePump);
  container.on("sender_draining", schedulePump);
  container.on("connection_open", (context: EventContext) => answerEveryBurst(context.connection));
  // A client's link or connection error is that client's business; the peer keeps serving others.
  container.on("error", () => undefined);
  // Link options rhea reads for the links clients attach: settle explicitly, keep `modified` apart from `released`.
  const listenOptions = { host: "127.0.0.1", port: 0, tcp_no_delay: true, require_sasl: true, autoaccept: false, treat_modified_as_released: false };
  const server: Server = container.listen(listenOptions as ServerConnectionOptions);
  server.unref(); // a forgotten close() must not keep a drill or a test process alive
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((done, fail) => {
    server.once("listening", done);
    server.once("error", fail);
  });
  const { port } = server.address() as AddressInfo;

  return {
    connectionString: `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=${key.name};SharedAccessKey=${key.key};UseDevelopmentEmulator=true`,
    addQueue,
    queue(name) {
      const entity = queues.get(name.toLowerCase());
      if (!entity) throw new Error(`the peer has no queue '${name}'`);
      return entity;
    },
    nextChange: () => changes.next(),
    onChange: (listener) => changes.subscribe(listener),
    refresh,
    dropConnections() {
      for (const socket of sockets) socket.destroy();
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const socket of sockets) socket.end();
      await new Promise<void>((done) => {
        server.close(() => done());
        setImmediate(() => {
          for (const socket of sockets) socket.destroy();
        });
      });
    },
  };
}
