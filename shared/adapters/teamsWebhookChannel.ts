import type { NotificationChannel } from "../ports/notificationChannel.js";
import { buildTeamsMessage } from "../notifications/teamsCard.js";
import { httpError, postToChannel, type FetchLike } from "./httpChannelPost.js";

export interface TeamsWebhookChannelOptions {
  /** Incoming-webhook or Workflows trigger URL (a secret: it authorises posting). */
  readonly webhookUrl: string;
  readonly timeoutMs: number;
  readonly fetch?: FetchLike;
  readonly now?: () => Date;
}

/**
 * Posts the Adaptive Card message to Teams. Workflows answers 202; a legacy Office 365 connector
 * answers 200 with "1", and reports its own throttling or failure as 200 with a text such as
 * "... returned HTTP error 429": that is read as the status it names.
 */
export function createTeamsWebhookChannel(options: TeamsWebhookChannelOptions): NotificationChannel {
  return {
    name: "teams",
    async deliver(event) {
      const response = await postToChannel({
        what: "teams webhook",
        url: options.webhookUrl,
        body: JSON.stringify(buildTeamsMessage(event)),
        headers: { "content-type": "application/json" },
        timeoutMs: options.timeoutMs,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.now ? { now: options.now } : {}),
      });
      const hidden = /HTTP error (\d{3})/i.exec(response.text)?.[1];
      if (hidden !== undefined && Number(hidden) >= 400)
        throw httpError("teams webhook", Number(hidden), response.text, null, (options.now ?? (() => new Date()))());
    },
  };
}
