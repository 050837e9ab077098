import type { NotificationChannel } from "../ports/notificationChannel.js";
import { signWebhook, SIGNATURE_HEADER } from "../notifications/signWebhook.js";
import { buildWebhookPayload, WEBHOOK_CONTENT_TYPE } from "../notifications/webhookPayload.js";
import { postToChannel, type FetchLike } from "./httpChannelPost.js";

export interface SignedWebhookChannelOptions {
  readonly url: string;
  /** HMAC keys; the first signs, all sign during a rotation (one v1 entry each). */
  readonly signingKeys: readonly string[];
  readonly timeoutMs: number;
  readonly now: () => Date;
  readonly fetch?: FetchLike;
}

/** POSTs the CloudEvent JSON, signed (x-dr-signature: t=...,v1=...), with its event id as a header too. */
export function createSignedWebhookChannel(options: SignedWebhookChannelOptions): NotificationChannel {
  return {
    name: "webhook",
    async deliver(event) {
      const body = JSON.stringify(buildWebhookPayload(event));
      await postToChannel({
        what: "webhook",
        url: options.url,
        body,
        headers: {
          "content-type": WEBHOOK_CONTENT_TYPE,
          [SIGNATURE_HEADER]: signWebhook(body, options.signingKeys, options.now()),
          "x-dr-event-id": event.id,
          "x-dr-event-type": event.kind,
        },
        timeoutMs: options.timeoutMs,
        now: options.now,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
    },
  };
}
