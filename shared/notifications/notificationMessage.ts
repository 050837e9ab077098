import { createHash } from "node:crypto";
import { z } from "zod";
import { queueBodyParser } from "../ports/queueBody.js";
import { CHANNEL_NAMES, type ChannelName, type NotificationEvent } from "../ports/notificationChannel.js";
import { RUN_EVENT_KINDS, runEventId, type RunEvent } from "../ports/notifier.js";

/** The body of one message on the notification queue: one event for one channel, one attempt. */
export interface NotificationMessage {
  readonly event: NotificationEvent;
  readonly channel: ChannelName;
  /** 0 for the first attempt, then one more per retry the worker schedules. */
  readonly attempt: number;
}

/** Service Bus message ids are at most 128 characters. */
const MAX_MESSAGE_ID = 128;

/**
 * The same attempt of the same event on the same channel always gets the same id, so Service Bus
 * duplicate detection drops a repeat (a step that raised its event twice, a re-sent retry).
 */
export function notificationMessageId(eventId: string, channel: ChannelName, attempt: number): string {
  const id = `notify|${eventId}|${channel}|${attempt}`;
  return id.length <= MAX_MESSAGE_ID ? id : `notify|${createHash("sha256").update(id).digest("hex")}`;
}

/** A UUID derived from the event and channel: ACS e-mail's Operation-Id, so ACS drops a repeat send. */
export function deterministicUuid(...parts: readonly string[]): string {
  const hex = createHash("sha256").update(parts.join("|")).digest("hex");
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The queue form of an event: dates as ISO strings, the dedupe id fixed, the run page linked. */
export function toNotificationEvent(event: RunEvent, runPageBaseUrl: string | undefined): NotificationEvent {
  const { at, link, ...rest } = event;
  const runPage = runPageBaseUrl ? `${runPageBaseUrl.replace(/\/+$/, "")}/${encodeURIComponent(event.runId)}` : undefined;
  const resolved = link ?? runPage;
  return { ...rest, id: runEventId(event), at: at.toISOString(), ...(resolved ? { link: resolved } : {}) };
}

const text = z.string().max(4_000);
const NotificationEventSchema = z.object({
  kind: z.enum(RUN_EVENT_KINDS),
  id: z.string().min(1).max(1_000),
  runId: z.string().min(1),
  estate: z.string(),
  mode: z.string(),
  at: z.iso.datetime({ offset: true }),
  summary: text,
  tier: z.string().exactOptional(),
  trigger: text.exactOptional(),
  vms: z.array(z.string()).max(10_000).exactOptional(),
  objectives: z
    .object({ rtoSeconds: z.number(), rtoTargetSeconds: z.number(), dataLossWindowSeconds: z.number().nullable(), rpoTargetSeconds: z.number() })
    .exactOptional(),
  failedStep: z.object({ id: z.string(), kind: z.string(), target: z.string(), tier: z.string().exactOptional(), reason: text }).exactOptional(),
  approval: z.object({ what: text, how: text, approveUrl: z.string().exactOptional(), expiresAt: z.string().exactOptional() }).exactOptional(),
  health: z.object({ healthy: z.number(), warnings: z.number(), critical: z.number(), findings: z.array(text).max(1_000) }).exactOptional(),
  action: text.exactOptional(),
  link: z.string().exactOptional(),
});

const NotificationMessageSchema = z.object({
  event: NotificationEventSchema,
  channel: z.enum(CHANNEL_NAMES as [ChannelName, ...ChannelName[]]),
  attempt: z.number().int().nonnegative(),
});

/** Validates a message body from the notification queue. */
export const parseNotificationMessage: (body: unknown) => NotificationMessage = queueBodyParser(NotificationMessageSchema, "notification message");
