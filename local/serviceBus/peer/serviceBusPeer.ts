import type { AddressInfo, Server, Socket } from "node:net";
import rhea, { type Connection, type Delivery, type EventContext, type Message, type Receiver, type Sender, type ServerConnectionOptions } from "rhea";
import type { Clock } from "../../../shared/ports/clock.js";
import { answerPutToken, CBS_ADDRESS } from "./cbsNode.js";
import { ChangeSignal } from "./changeSignal.js";
import { ConsumerLink } from "./consumerLink.js";
import { STANDARD_TIER } from "./limits.js";
import { answerEveryBurst } from "./answerEveryBurst.js";
import { answerManagementRequest } from "./managementNode.js";
import { decodeTransfer } from "./messageCodec.js";
import { CONDITIONS, PeerError, notImplemented, toAmqpError } from "./peerError.js";
import { QueueEntity } from "./queueEntity.js";
import { asRecord } from "./values.js";
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
  close(): Promise<void>;
}

/** The key the Service Bus emulator documents for local use; the peer checks signatures made with it. */
export const DEVELOPMENT_KEY: SharedAccessKey = { name: "RootManageSharedAccessKey", key: "SAS_KEY_VALUE" };

type Node = { readonly kind: "cbs" } | { readonly kind: "entity" | "management"; readonly entity: QueueEntity; readonly path: string };

interface ConnectionState {
  /** Entity paths (lower case) the connection holds a token for. */
  readonly granted: Set<string>;
  /** Reply-to address -> the link the client receives $cbs/$management replies on. */
  readonly replyLinks: Map<string, Sender>;
}

/** Fields of the local attach rhea does not type. */
interface LocalAttach {
  readonly local: { readonly attach: { max_message_size?: number } };
}

/**
 * A Service Bus-compatible AMQP 1.0 peer on 127.0.0.1 for the real `@azure/service-bus` SDK:
 * SASL ANONYMOUS, claims-based security on `$cbs`, sender and receiver links on each queue and its
 * dead-letter queue, and the queue's `$management` node. What it does not implement it refuses
 * with `amqp:not-implemented`; unknown entities get `com.microsoft:entity-not-found`.
 */
export async function startServiceBusPeer(options: ServiceBusPeerOptions): Promise<ServiceBusPeer> {
  const key = options.sharedAccessKey ?? DEVELOPMENT_KEY;
  const changes = new ChangeSignal();
  const entities = new Map<string, QueueEntity>();
  const queues = new Map<string, QueueEntity>();
  const consumers = new Map<Sender, ConsumerLink>();
  const nodes = new Map<Receiver, Node>();
  const connections = new Map<Connection, ConnectionState>();
  const sockets = new Set<Socket>();
  let pumpScheduled = false;
  let timer: NodeJS.Timeout | undefined;

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
    if (timer) clearTimeout(timer);
    const next = Math.min(...[...entities.values()].map((e) => e.nextTimeout() ?? Infinity));
    if (!Number.isFinite(next)) return;
    const delay = Math.min(Math.max(next - options.clock.now().getTime(), 10), 60_000);
    timer = setTimeout(refresh, delay).unref();
  }

  function refresh(): void {
    for (const entity of entities.values()) entity.refresh();
    schedulePump();
  }

  function stateOf(connection: Connection): ConnectionState {
    let state = connections.get(connection);
    if (!state) connections.set(connection, (state = { granted: new Set(), replyLinks: new Map() }));
    return state;
  }

  function resolve(address: unknown): Node {
    const path = typeof address === "string" ? address.replace(/^amqps?:\/\/[^/]+\//, "") : "";
    if (path === CBS_ADDRESS) return { kind: "cbs" };
    const management = path.toLowerCase().endsWith("/$management");
    const entityPath = management ? path.slice(0, -"/$management".length) : path;
    const entity = entities.get(entityPath.toLowerCase());
    if (!entity) throw new PeerError(CONDITIONS.entityNotFound, `The messaging entity '${path || "(no address)"}' could not be found.`);
    return { kind: management ? "management" : "entity", entity, path: path.toLowerCase() };
  }

  function authorize(connection: Connection, node: Node): void {
    if (node.kind === "cbs") return;
    const granted = [...stateOf(connection).granted];
    if (!granted.some((g) => g === "" || node.path === g || node.path.startsWith(`${g}/`))) {
      throw new PeerError(CONDITIONS.unauthorized, `no token has been put on $cbs for '${node.path}'`);
    }
  }

  /** The client's sending link: to a queue, or the request side of $cbs / $management. */
  function onReceiverOpen(receiver: Receiver): void {
    const address: unknown = asRecord(receiver.target).address;
    try {
      const node = resolve(address);
      authorize(receiver.connection, node);
      if (node.kind === "entity" && !node.entity.deadLetterQueue) throw new PeerError(CONDITIONS.notAllowed, `cannot send to the dead-letter queue '${node.entity.path}'`);
      receiver.set_target({ address: address as string });
      if (node.kind === "entity") (receiver as unknown as LocalAttach).local.attach.max_message_size = STANDARD_TIER.maxMessageSizeBytes;
      nodes.set(receiver, node);
    } catch (error) {
      receiver.close(toAmqpError(error));
    }
  }

  /** The client's receiving link: from a queue (peek-lock), or the reply side of $cbs / $management. */
  function onSenderOpen(sender: Sender): void {
    const source = asRecord(sender.source);
    const replyTo: unknown = asRecord(sender.target).address;
    try {
      const node = resolve(source.address);
      authorize(sender.connection, node);
      sender.set_source({ address: source.address as string });
      if (typeof replyTo === "string") sender.set_target({ address: replyTo });
      if (node.kind !== "entity") {
        // Replies are addressed to the link's target address or, when it has none (the SDK's $cbs link), its name.
        stateOf(sender.connection).replyLinks.set(typeof replyTo === "string" ? replyTo : sender.name, sender);
        return;
      }
      if (sender.rcv_settle_mode !== 1) throw notImplemented("receive-and-delete mode (receivers must use peek-lock)");
      if (source.filter !== undefined && source.filter !== null) throw notImplemented("sessions and link filters");
      consumers.set(sender, new ConsumerLink(sender, node.entity, options.clock));
      changed();
    } catch (error) {
      sender.close(toAmqpError(error));
    }
  }

  function onMessage(context: EventContext): void {
    const { receiver, delivery } = context;
    if (!receiver || !delivery) return;
    const node = nodes.get(receiver);
    if (!node) return delivery.reject({ condition: CONDITIONS.notAllowed, description: "this link is not attached to any node" });
    if (node.kind === "entity") return acceptTransfer(node.entity, context, delivery);
    const request = context.message as Message;
    const reply =
      node.kind === "cbs"
        ? answerPutToken(request, key, (path) => stateOf(receiver.connection).granted.add(path))
        : answerManagementRequest(node.entity, request, options.clock);
    const link = stateOf(receiver.connection).replyLinks.get(String(request.reply_to));
    if (!link) return delivery.reject({ condition: CONDITIONS.notAllowed, description: `no link is attached to receive replies at '${String(request.reply_to)}'` });
    delivery.accept();
    link.send(reply);
  }

  function acceptTransfer(entity: QueueEntity, context: EventContext, delivery: Delivery): void {
    try {
      if (delivery.remote_state !== undefined && delivery.remote_state !== null) throw notImplemented("transactions");
      const format = (context as { format?: number }).format ?? 0;
      for (const message of decodeTransfer(format, context.message)) entity.enqueue(message);
      delivery.accept();
    } catch (error) {
      delivery.reject(toAmqpError(error));
    }
  }

  function onSettle(outcome: "accepted" | "released" | "modified" | "rejected") {
    return (context: EventContext): void => {
      const consumer = context.sender && consumers.get(context.sender);
      if (consumer && context.delivery) consumer.settle(context.delivery, outcome);
    };
  }

  function forgetLink(link: Sender | Receiver | undefined): void {
    if (!link) return;
    const consumer = consumers.get(link as Sender);
    if (consumer) {
      consumer.detach();
      consumers.delete(link as Sender);
    }
    nodes.delete(link as Receiver);
    changes.notify();
  }

  function forgetConnection(connection: Connection): void {
    for (const [sender, consumer] of consumers) {
      if (sender.connection !== connection) continue;
      consumer.detach();
      consumers.delete(sender);
    }
    for (const receiver of nodes.keys()) if (receiver.connection === connection) nodes.delete(receiver);
    connections.delete(connection);
    changes.notify();
  }

  const container = rhea.create_container({ id: "local-service-bus-peer" });
  (container.sasl_server_mechanisms as { enable_anonymous(): void }).enable_anonymous();
  container.on("receiver_open", (context: EventContext) => context.receiver && onReceiverOpen(context.receiver));
  container.on("sender_open", (context: EventContext) => context.sender && onSenderOpen(context.sender));
  container.on("message", onMessage);
  container.on("sendable", schedulePump);
  container.on("sender_flow", schedulePump);
  container.on("sender_draining", schedulePump);
  for (const outcome of ["accepted", "released", "modified", "rejected"] as const) container.on(outcome, onSettle(outcome));
  container.on("sender_close", (context: EventContext) => forgetLink(context.sender));
  container.on("receiver_close", (context: EventContext) => forgetLink(context.receiver));
  container.on("connection_open", (context: EventContext) => answerEveryBurst(context.connection));
  container.on("connection_close", (context: EventContext) => forgetConnection(context.connection));
  container.on("disconnected", (context: EventContext) => forgetConnection(context.connection));
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
    async close() {
      if (timer) clearTimeout(timer);
      for (const connection of connections.keys()) connection.close();
      await new Promise<void>((done) => {
        server.close(() => done());
        setImmediate(() => {
          for (const socket of sockets) socket.destroy();
        });
      });
    },
  };
}

