import type { Connection, Container, Delivery, EventContext, Message, Receiver, Sender } from "rhea";
import type { Clock } from "../../../shared/ports/clock.js";
import { answerPutToken, CBS_ADDRESS } from "./cbsNode.js";
import { ConsumerLink } from "./consumerLink.js";
import { STANDARD_TIER } from "./limits.js";
import { answerManagementRequest } from "./managementNode.js";
import { decodeTransfer } from "./messageCodec.js";
import { CONDITIONS, PeerError, notImplemented, toAmqpError } from "./peerError.js";
import type { QueueEntity } from "./queueEntity.js";
import type { SharedAccessKey } from "./sasToken.js";
import { asRecord } from "./values.js";

export interface LinkHandlerDeps {
  readonly key: SharedAccessKey;
  readonly clock: Clock;
  /** Entity path (lower case) -> entity, dead-letter queues included. */
  readonly entities: ReadonlyMap<string, QueueEntity>;
  /** The receivers' links the peer delivers on; filled and emptied here. */
  readonly consumers: Map<Sender, ConsumerLink>;
  /** A consumer appeared: deliver to it. */
  readonly changed: () => void;
  /** A link or connection went away: locks it held are now orphaned. */
  readonly notify: () => void;
}

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
 * What the peer does with the links clients attach: resolves their address to `$cbs`, an entity
 * or its `$management` node (unknown: `com.microsoft:entity-not-found`), insists on a token from
 * `$cbs` first, takes sent messages into the entity, answers requests on the reply link, and
 * hands receivers' links to ConsumerLink. What it does not implement it refuses with an error.
 */
export function attachLinkHandlers(container: Container, deps: LinkHandlerDeps): void {
  const { entities, consumers } = deps;
  const nodes = new Map<Receiver, Node>();
  const connections = new Map<Connection, ConnectionState>();

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
      if (node.kind === "entity" && !node.entity.deadLetterQueue)
        throw new PeerError(CONDITIONS.notAllowed, `cannot send to the dead-letter queue '${node.entity.path}'`);
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
      if (sender.snd_settle_mode === 1) throw notImplemented("receive-and-delete mode (receivers must use peek-lock)");
      if (sender.rcv_settle_mode !== 1) throw notImplemented("receiver settle mode 'first' (peek-lock receivers settle second)");
      if (source.filter !== undefined && source.filter !== null) throw notImplemented("sessions and link filters");
      consumers.set(sender, new ConsumerLink(sender, node.entity, deps.clock));
      deps.changed();
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
        ? answerPutToken(request, deps.key, (path) => stateOf(receiver.connection).granted.add(path))
        : answerManagementRequest(node.entity, request, deps.clock);
    const link = stateOf(receiver.connection).replyLinks.get(String(request.reply_to));
    if (!link)
      return delivery.reject({ condition: CONDITIONS.notAllowed, description: `no link is attached to receive replies at '${String(request.reply_to)}'` });
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
    deps.notify();
  }

  function forgetConnection(connection: Connection): void {
    for (const [sender, consumer] of consumers) {
      if (sender.connection !== connection) continue;
      consumer.detach();
      consumers.delete(sender);
    }
    for (const receiver of nodes.keys()) if (receiver.connection === connection) nodes.delete(receiver);
    connections.delete(connection);
    deps.notify();
  }

  container.on("receiver_open", (context: EventContext) => context.receiver && onReceiverOpen(context.receiver));
  container.on("sender_open", (context: EventContext) => context.sender && onSenderOpen(context.sender));
  container.on("message", onMessage);
  for (const outcome of ["accepted", "released", "modified", "rejected"] as const) container.on(outcome, onSettle(outcome));
  container.on("sender_close", (context: EventContext) => forgetLink(context.sender));
  container.on("receiver_close", (context: EventContext) => forgetLink(context.receiver));
  container.on("connection_close", (context: EventContext) => forgetConnection(context.connection));
  container.on("disconnected", (context: EventContext) => forgetConnection(context.connection));
}
