import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient } from "@azure/core-rest-pipeline";
import type { Clock } from "../ports/clock.js";
import type { ChannelName, NotificationChannel } from "../ports/notificationChannel.js";
import type { NotificationSettings } from "../notifications/notificationSettings.js";
import { createAcsEmailChannel, createAcsEmailClient } from "./acsEmailChannel.js";
import type { FetchLike } from "./httpChannelPost.js";
import { createSignedWebhookChannel } from "./signedWebhookChannel.js";
import { createTeamsWebhookChannel } from "./teamsWebhookChannel.js";

/** One attempt at a receiver never takes longer than this (the worker retries later). */
export const DEFAULT_CHANNEL_TIMEOUT_MS = 10_000;

export interface NotificationChannelDeps {
  /** The app's managed identity (ACS e-mail). */
  readonly credential: TokenCredential;
  readonly clock: Clock;
  readonly timeoutMs?: number;
  /** Tests and the sandbox: where HTTP goes (Teams and webhook use fetch, ACS its pipeline). */
  readonly fetch?: FetchLike;
  readonly emailHttpClient?: HttpClient;
}

/** The channels the settings configure (and that passed validation). */
export function createNotificationChannels(settings: NotificationSettings, deps: NotificationChannelDeps): Partial<Record<ChannelName, NotificationChannel>> {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_CHANNEL_TIMEOUT_MS;
  const now = (): Date => deps.clock.now();
  const channels: Partial<Record<ChannelName, NotificationChannel>> = {};
  if (settings.teams)
    channels.teams = createTeamsWebhookChannel({ webhookUrl: settings.teams.webhookUrl, timeoutMs, now, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  if (settings.webhook) {
    channels.webhook = createSignedWebhookChannel({
      url: settings.webhook.url,
      signingKeys: settings.webhook.signingKeys,
      timeoutMs,
      now,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
  }
  if (settings.email) {
    const client = createAcsEmailClient({
      endpoint: settings.email.endpoint,
      credential: deps.credential,
      ...(deps.emailHttpClient ? { httpClient: deps.emailHttpClient } : {}),
    });
    channels.email = createAcsEmailChannel({ client, sender: settings.email.sender, to: settings.email.to, timeoutMs });
  }
  return channels;
}
