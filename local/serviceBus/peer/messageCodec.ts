import rhea, { type Message } from "rhea";
import type { EntityMessage } from "./queueEntity.js";
import { asRecord } from "./values.js";
import { STANDARD_TIER } from "./limits.js";
import { CONDITIONS, PeerError, notImplemented } from "./peerError.js";

/** The SDK sends an array of messages as one AMQP message whose data sections are encoded messages. */
export const BATCH_MESSAGE_FORMAT = 0x80013700;

/** The messages inside one incoming transfer, checked against the service's limits. */
export function decodeTransfer(format: number, payload: unknown): Message[] {
  if (format === 0) {
    const message = payload as Message;
    checkSize(rhea.message.encode(message).length, "message");
    checkMessage(message);
    return [message];
  }
  if (format !== BATCH_MESSAGE_FORMAT) throw notImplemented(`message format 0x${format.toString(16)}`);
  if (!Buffer.isBuffer(payload)) throw new PeerError(CONDITIONS.decodeError, "a batch transfer must carry the encoded batch");
  checkSize(payload.length, "batch");
  const sections = dataSections(decodeMessage(payload));
  if (sections.length === 0) throw new PeerError(CONDITIONS.argumentError, "a batch must hold at least one message");
  return sections.map((section) => {
    const message = decodeMessage(section);
    checkMessage(message);
    return message;
  });
}

/** A message from a $management schedule request, with its scheduled enqueue time checked. */
export function decodeScheduled(encoded: unknown): Message {
  if (!Buffer.isBuffer(encoded)) throw new PeerError(CONDITIONS.argumentError, "a scheduled message must be sent encoded");
  checkSize(encoded.length, "message");
  const message = decodeMessage(encoded);
  checkMessage(message);
  if (asRecord(message.message_annotations)["x-opt-scheduled-enqueue-time"] === undefined) {
    throw new PeerError(CONDITIONS.argumentError, "a scheduled message needs x-opt-scheduled-enqueue-time");
  }
  return message;
}

/**
 * The message as delivered: the client's sections plus the broker's annotations. The header's
 * delivery count is the number of earlier deliveries (AMQP), so a first delivery says 0.
 * `lockedUntil` is on the receiver's wall clock: the SDK plans lock renewal from Date.now().
 */
export function encodeDelivery(entry: EntityMessage, options: { lockedUntil?: number; peek?: boolean }): Buffer {
  const annotations: Record<string, unknown> = {
    ...asRecord(entry.message.message_annotations),
    "x-opt-sequence-number": rhea.types.wrap_long(entry.sequenceNumber),
    "x-opt-enqueued-time": new Date(entry.availableAt),
  };
  if (options.lockedUntil !== undefined) annotations["x-opt-locked-until"] = new Date(options.lockedUntil);
  if (options.peek && entry.state === "scheduled") annotations["x-opt-message-state"] = 2;
  const message: Message = {
    ...entry.message,
    delivery_count: options.peek ? entry.deliveryCount : Math.max(0, entry.deliveryCount - 1),
    message_annotations: annotations,
  };
  return rhea.message.encode(message);
}

/** The body the way the SDK's default decoder reads it: JSON from a single data section, else the raw value. */
export function decodeBody(message: Message): unknown {
  const body: unknown = message.body;
  const content = asRecord(body).typecode === 0x75 ? asRecord(body).content : body;
  if (!Buffer.isBuffer(content)) return content;
  try {
    return JSON.parse(content.toString("utf8"));
  } catch {
    return content;
  }
}

/** rhea types a decoded message apart from the message it encodes; they are the same object. */
function decodeMessage(encoded: Buffer): Message {
  return rhea.message.decode(encoded) as unknown as Message;
}

function dataSections(envelope: Message): Buffer[] {
  const body = asRecord(envelope.body);
  if (body.typecode !== 0x75) throw new PeerError(CONDITIONS.decodeError, "a batch must carry its messages as data sections");
  const content = body.content;
  const sections: unknown[] = body.multiple ? (content as unknown[]) : [content];
  if (!sections.every((s): s is Buffer => Buffer.isBuffer(s))) throw new PeerError(CONDITIONS.decodeError, "a batch data section must be binary");
  return sections;
}

function checkMessage(message: Message): void {
  const id: unknown = message.message_id;
  if (typeof id === "string" && id.length > STANDARD_TIER.maxMessageIdLength) {
    throw new PeerError(
      CONDITIONS.argumentOutOfRange,
      `The message id length ${id.length} exceeds the maximum of ${STANDARD_TIER.maxMessageIdLength} characters.`,
    );
  }
  if (message.ttl !== undefined || message.absolute_expiry_time !== undefined) throw notImplemented("message time-to-live and expiry");
  const scheduledAt: unknown = asRecord(message.message_annotations)["x-opt-scheduled-enqueue-time"];
  if (scheduledAt !== undefined && scheduledAt !== null && !(scheduledAt instanceof Date) && typeof scheduledAt !== "number") {
    throw new PeerError(CONDITIONS.argumentError, "x-opt-scheduled-enqueue-time must be a timestamp");
  }
}

function checkSize(bytes: number, what: string): void {
  if (bytes > STANDARD_TIER.maxMessageSizeBytes) {
    throw new PeerError(
      CONDITIONS.messageSizeExceeded,
      `The ${what} of ${bytes} bytes exceeds the ${STANDARD_TIER.maxMessageSizeBytes}-byte limit of the Standard tier.`,
    );
  }
}
