import type { NotificationEvent } from "../ports/notificationChannel.js";
import { buildNotificationContent, neutraliseEvent } from "./notificationContent.js";

export const WEBHOOK_CONTENT_TYPE = "application/cloudevents+json; charset=utf-8";
export const WEBHOOK_EVENT_TYPE_PREFIX = "com.dr-automation.";

/**
 * A CloudEvents 1.0 event in structured mode: `id` is the event's dedupe id (a receiver that sees
 * it twice drops the second), `type` names the kind, `data` holds the facts and the words.
 */
export interface WebhookPayload {
  readonly specversion: "1.0";
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: "application/json";
  readonly data: Omit<NotificationEvent, "id" | "at"> & {
    readonly title: string;
    readonly severity: string;
    readonly productDid?: string;
    readonly actionRequired?: string;
  };
}

export function buildWebhookPayload(event: NotificationEvent): WebhookPayload {
  const content = buildNotificationContent(event);
  const { id, at, ...facts } = neutraliseEvent(event);
  return {
    specversion: "1.0",
    id,
    source: `/dr-automation/estates/${encodeURIComponent(event.estate)}`,
    type: `${WEBHOOK_EVENT_TYPE_PREFIX}${event.kind}`,
    subject: event.runId,
    time: at,
    datacontenttype: "application/json",
    data: {
      ...facts,
      title: content.title,
      severity: content.tone,
      ...(content.productDid ? { productDid: content.productDid } : {}),
      ...(content.action ? { actionRequired: content.action } : {}),
    },
  };
}
