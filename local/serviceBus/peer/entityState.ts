import rhea, { type Message } from "rhea";
import type { DeadLetterRecord, EntityState, EntityStats } from "./queueEntity.js";

/**
 * An entity's state as JSON: each message in its AMQP 1.0 encoding (base64), so what a receiver gets
 * after a restore is byte for byte what the sender sent, annotations and properties included.
 */
export interface SavedEntityState {
  readonly nextSequenceNumber: number;
  readonly messages: readonly {
    sequenceNumber: number;
    messageId?: string;
    amqp: string;
    availableAt: number;
    state: "scheduled" | "active" | "locked";
    deliveryCount: number;
  }[];
  readonly seen: readonly (readonly [string, { at: number; sequenceNumber: number }])[];
  readonly stats: EntityStats;
  readonly deadLetterLog: readonly { messageId?: string; amqp: string; reason: string; description: string }[];
}

export function encodeEntityState(state: EntityState): SavedEntityState {
  return {
    nextSequenceNumber: state.nextSequenceNumber,
    messages: state.messages.map((m) => ({
      sequenceNumber: m.sequenceNumber,
      ...(m.messageId !== undefined ? { messageId: m.messageId } : {}),
      amqp: rhea.message.encode(m.message).toString("base64"),
      availableAt: m.availableAt,
      state: m.state,
      deliveryCount: m.deliveryCount,
    })),
    seen: state.seen.map(([id, first]) => [id, { at: first.at, sequenceNumber: first.sequenceNumber }] as const),
    stats: { ...state.stats },
    deadLetterLog: state.deadLetterLog.map((r) => ({
      ...(r.messageId !== undefined ? { messageId: r.messageId } : {}),
      amqp: rhea.message.encode(r.message).toString("base64"),
      reason: r.reason,
      description: r.description,
    })),
  };
}

/** The state `encodeEntityState` wrote; throws, naming the field, on anything else (a damaged file is not guessed at). */
export function decodeEntityState(value: unknown, where: string): EntityState {
  const saved = record(value, where);
  const messages = array(saved.messages, `${where}.messages`).map((m, i) => {
    const at = `${where}.messages[${i}]`;
    const message = record(m, at);
    const state = message.state;
    if (state !== "scheduled" && state !== "active" && state !== "locked") throw new Error(`${at}.state: not scheduled, active or locked`);
    const narrowed: "scheduled" | "active" | "locked" = state;
    return {
      sequenceNumber: count(message.sequenceNumber, `${at}.sequenceNumber`),
      messageId: optionalString(message.messageId, `${at}.messageId`),
      message: decodeAmqp(message.amqp, `${at}.amqp`),
      availableAt: count(message.availableAt, `${at}.availableAt`),
      state: narrowed,
      deliveryCount: count(message.deliveryCount, `${at}.deliveryCount`),
    };
  });
  const seen = array(saved.seen, `${where}.seen`).map((entry, i) => {
    const at = `${where}.seen[${i}]`;
    const [id, first] = array(entry, at);
    const firstRecord = record(first, `${at}[1]`);
    if (typeof id !== "string") throw new Error(`${at}[0]: not a message id`);
    return [id, { at: count(firstRecord.at, `${at}[1].at`), sequenceNumber: count(firstRecord.sequenceNumber, `${at}[1].sequenceNumber`) }] as const;
  });
  const statsRecord = record(saved.stats, `${where}.stats`);
  const statKeys = ["sent", "duplicatesDropped", "scheduled", "delivered", "completed", "abandoned", "lockExpired", "deadLettered"] as const;
  const stats = Object.fromEntries(statKeys.map((k) => [k, count(statsRecord[k], `${where}.stats.${k}`)])) as unknown as EntityStats;
  const deadLetterLog: DeadLetterRecord[] = array(saved.deadLetterLog, `${where}.deadLetterLog`).map((r, i) => {
    const at = `${where}.deadLetterLog[${i}]`;
    const entry = record(r, at);
    return {
      messageId: optionalString(entry.messageId, `${at}.messageId`),
      message: decodeAmqp(entry.amqp, `${at}.amqp`),
      reason: text(entry.reason, `${at}.reason`),
      description: text(entry.description, `${at}.description`),
    };
  });
  return { nextSequenceNumber: count(saved.nextSequenceNumber, `${where}.nextSequenceNumber`), messages, seen, stats, deadLetterLog };
}

function decodeAmqp(value: unknown, where: string): Message {
  const decoded = rhea.message.decode(Buffer.from(text(value, where), "base64"));
  const body: unknown = decoded.body;
  return { ...decoded, body };
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${where}: not an object`);
  return value as Record<string, unknown>;
}

function array(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${where}: not an array`);
  return value as unknown[];
}

function count(value: unknown, where: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) throw new Error(`${where}: not a whole number`);
  return value;
}

function text(value: unknown, where: string): string {
  if (typeof value !== "string") throw new Error(`${where}: not a string`);
  return value;
}

function optionalString(value: unknown, where: string): string | undefined {
  return value === undefined ? undefined : text(value, where);
}
