import rhea, { type Message } from "rhea";
import type { Clock } from "../../../shared/ports/clock.js";
import { lockTokenFromUuid } from "./lockToken.js";
import { decodeScheduled, encodeDelivery } from "./messageCodec.js";
import { CONDITIONS, PeerError, STATUS_BY_CONDITION, notImplemented, toAmqpError } from "./peerError.js";
import type { QueueEntity } from "./queueEntity.js";
import { asRecord, optionalText } from "./values.js";

const LONG = 0x81;
const TIMESTAMP = 0x83;

type Operation = (entity: QueueEntity, body: Record<string, unknown>, clock: Clock) => { status: number; body?: unknown };

/**
 * The entity's `$management` node: the request-response operations the SDK uses around a queue.
 * Replies carry `statusCode` (not the CBS `status-code`) and, on failure, `errorCondition`.
 */
const OPERATIONS: Readonly<Record<string, Operation>> = {
  "com.microsoft:schedule-message": (entity, body) => {
    if (!entity.deadLetterQueue) throw new PeerError(CONDITIONS.notAllowed, `cannot schedule messages on the dead-letter queue '${entity.path}'`);
    const entries = listOf(body.messages, "messages");
    // Decode all first: one bad message fails the request before anything is scheduled.
    const messages = entries.map((entry) => decodeScheduled(asRecord(entry).message));
    const sequenceNumbers = messages.map((message) => entity.enqueue(message).sequenceNumber);
    return { status: 200, body: { "sequence-numbers": rhea.types.wrap_array(sequenceNumbers, LONG, undefined) } };
  },
  "com.microsoft:cancel-scheduled-message": (entity, body) => {
    entity.cancelScheduled(listOf(body["sequence-numbers"], "sequence-numbers").map(toSequenceNumber));
    return { status: 200 };
  },
  "com.microsoft:renew-lock": (entity, body, clock) => {
    const expirations = listOf(body["lock-tokens"], "lock-tokens").map((token) => toWallClock(entity.renewLock(lockTokenFromUuid(token)), clock));
    return { status: 200, body: { expirations: rhea.types.wrap_array(expirations, TIMESTAMP, undefined) } };
  },
  "com.microsoft:peek-message": (entity, body) => {
    const from = toSequenceNumber(body["from-sequence-number"]);
    const count = Number(body["message-count"]);
    if (!Number.isInteger(count) || count < 1) throw new PeerError(CONDITIONS.argumentOutOfRange, "message-count must be a positive integer");
    if (body["session-id"] !== undefined) throw notImplemented("sessions");
    if (body["omit-message-body"] === true) throw notImplemented("peek without message bodies");
    const found = entity.peek(from, count);
    if (found.length === 0) return { status: 204 };
    return { status: 200, body: { messages: found.map((entry) => ({ message: encodeDelivery(entry, { peek: true }) })) } };
  },
  "com.microsoft:update-disposition": (entity, body) => {
    const status = String(body["disposition-status"]);
    const properties = body["properties-to-modify"] === undefined ? undefined : asRecord(body["properties-to-modify"]);
    for (const token of listOf(body["lock-tokens"], "lock-tokens").map(lockTokenFromUuid)) {
      if (status === "completed") entity.complete(token);
      else if (status === "abandoned") entity.abandon(token, properties);
      else if (status === "suspended")
        entity.deadLetter(token, optionalText(body["deadletter-reason"]), optionalText(body["deadletter-description"]), properties);
      else if (status === "defered") entity.defer(token);
      else throw new PeerError(CONDITIONS.argumentError, `unknown disposition-status '${status}'`);
    }
    return { status: 200 };
  },
};

export function answerManagementRequest(entity: QueueEntity, request: Message, clock: Clock): Message {
  const operation = String(asRecord(request.application_properties).operation);
  try {
    const handler = OPERATIONS[operation];
    if (!handler) throw notImplemented(`$management operation '${operation}'`);
    const { status, body } = handler(entity, asRecord(request.body), clock);
    return reply(request, { statusCode: status, statusDescription: status === 204 ? "No Content" : "OK" }, body ?? {});
  } catch (error) {
    const { condition, description } = toAmqpError(error);
    return reply(request, { statusCode: STATUS_BY_CONDITION[condition], statusDescription: description, errorCondition: condition }, {});
  }
}

/** Lock expiries go to the client on its wall clock, since the SDK schedules renewal from Date.now(). */
export function toWallClock(simulatedInstant: number, clock: Clock): number {
  return Date.now() + (simulatedInstant - clock.now().getTime());
}

function reply(request: Message, properties: Record<string, unknown>, body: unknown): Message {
  return {
    ...(request.message_id !== undefined ? { correlation_id: request.message_id } : {}),
    ...(request.reply_to !== undefined ? { to: request.reply_to } : {}),
    application_properties: properties,
    body,
  };
}

function listOf(value: unknown, name: string): unknown[] {
  if (!Array.isArray(value)) throw new PeerError(CONDITIONS.argumentError, `'${name}' must be a list`);
  return value as unknown[];
}

function toSequenceNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (Buffer.isBuffer(value) && value.length === 8) return Number(value.readBigInt64BE());
  throw new PeerError(CONDITIONS.argumentError, "a sequence number must be a long");
}
