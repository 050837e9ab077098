import { AzureNamedKeyCredential } from "@azure/data-tables";
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { createNotificationChannels } from "../../shared/adapters/notificationChannels.js";
import { createTableNotificationStore } from "../../shared/adapters/tableNotificationStore.js";
import { parseNotificationMessage, type NotificationMessage } from "../../shared/notifications/notificationMessage.js";
import { createNotificationService, type NotificationService } from "../../shared/notifications/notificationService.js";
import { parseNotificationSettings, type NotificationConfig } from "../../shared/notifications/notificationSettings.js";
import type { DeliveryPolicy } from "../../shared/notifications/notificationWorker.js";
import type { Logger } from "../../shared/ports/logger.js";
import type { NotificationStore } from "../../shared/ports/notificationStore.js";
import type { NotifierPort } from "../../shared/ports/notifier.js";
import type { OutgoingMessage, QueuePort } from "../../shared/ports/queue.js";
import { AZURITE_ACCOUNT, AZURITE_KEY } from "../../local/azurite.js";
import { NOTIFICATION_QUEUE_NAME } from "../../shared/config/names.js";
import { QUEUE_SETTINGS } from "../../local/localStack.js";
import { startLocalNamespace, type LocalQueue } from "../../local/serviceBus/localServiceBus.js";
import { SimulatedClock } from "../../local/simulatedClock.js";
import type { LogLine } from "../engine/engineHarness.js";
import { SIGNING_KEY } from "./fixtures.js";
import { acsAccepted, fakeCredential, redirectingHttpClient, startReceiver, type Receiver, type Responder } from "./receivers.js";

export const ACS_ENDPOINT = "https://acs-test.communication.azure.com";
export const EMAIL_SENDER = "DoNotReply@dr.contoso.com";
export const EMAIL_TO = ["oncall@contoso.com", "it@contoso.com"];
export const RUN_PAGE = "https://func-dr.azurewebsites.net/api/runs";

export async function azuriteNotificationStore(): Promise<NotificationStore> {
  return createTableNotificationStore({
    endpoint: inject("tableEndpoint"),
    credential: new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    clientOptions: { allowInsecureConnection: true },
    tablePrefix: `n${randomBytes(4).toString("hex")}`,
  });
}

export interface DeliveryStackOptions {
  readonly teams?: Responder;
  readonly webhook?: Responder;
  readonly acs?: Responder;
  readonly routes?: string;
  readonly policy?: Partial<DeliveryPolicy>;
  /** Per-attempt timeout of every channel: tiny where a test makes a receiver hang, roomy otherwise (a busy CI machine). */
  readonly timeoutMs?: number;
  readonly start?: Date;
  /** The notifier's own clock-free bound on enqueueing. */
  readonly enqueueTimeoutMs?: number;
}

export interface DeliveryStack {
  readonly teams: Receiver;
  readonly webhook: Receiver;
  readonly acs: Receiver;
  readonly queue: LocalQueue<NotificationMessage>;
  /** Everything sent on the notification queue (first attempts and scheduled retries). */
  readonly sent: OutgoingMessage<NotificationMessage>[];
  readonly clock: SimulatedClock;
  readonly store: NotificationStore;
  readonly service: NotificationService;
  readonly notifier: NotifierPort;
  readonly logs: LogLine[];
  /** Plays the notification queue trigger until nothing is left (time jumps over retry waits). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The production notification path (queue notifier, worker, channel adapters, Table Storage on
 * Azurite), with the queue on a local Service Bus peer on its own simulated clock and the three channels pointed
 * at local receivers on 127.0.0.1.
 */
export async function createDeliveryStack(options: DeliveryStackOptions = {}): Promise<DeliveryStack> {
  const [teams, webhook, acs] = await Promise.all([startReceiver(options.teams), startReceiver(options.webhook ?? (() => ({ status: 204 }))), startReceiver(options.acs ?? acsAccepted)]);
  const clock = new SimulatedClock(options.start ?? new Date("2026-11-25T02:00:00Z"), { realTime: false });
  const logs: LogLine[] = [];
  const capture = (level: LogLine["level"]) => (message: string, properties: Record<string, unknown> = {}) => void logs.push({ level, message, properties });
  const log: Logger = { info: capture("info"), warn: capture("warn"), error: capture("error") };
  const config: NotificationConfig = {
    RUN_PAGE_BASE_URL: RUN_PAGE,
    NOTIFY_TEAMS_WEBHOOK_URL: `${teams.url}/workflows/teams`,
    NOTIFY_WEBHOOK_URL: `${webhook.url}/dr-events`,
    NOTIFY_WEBHOOK_SIGNING_KEY: SIGNING_KEY,
    NOTIFY_EMAIL_ENDPOINT: ACS_ENDPOINT,
    NOTIFY_EMAIL_SENDER: EMAIL_SENDER,
    NOTIFY_EMAIL_TO: EMAIL_TO.join(","),
    NOTIFY_ROUTES: options.routes ?? "",
  };
  const settings = parseNotificationSettings(config);
  if (settings.problems.length > 0) throw new Error(`test settings invalid: ${JSON.stringify(settings.problems)}`);
  const store = await azuriteNotificationStore();
  const namespace = await startLocalNamespace({ clock });
  const queue = await namespace.addQueue({ name: NOTIFICATION_QUEUE_NAME, maxDeliveryCount: QUEUE_SETTINGS.maxDeliveryCount, duplicateWindowMs: QUEUE_SETTINGS.duplicateWindowMs, parse: parseNotificationMessage });
  const sent: OutgoingMessage<NotificationMessage>[] = [];
  const recording: QueuePort<NotificationMessage> = {
    send: (messages) => {
      sent.push(...messages);
      return queue.send(messages);
    },
  };
  const service = createNotificationService({
    settings,
    queue: recording,
    store,
    channels: createNotificationChannels(settings, { credential: fakeCredential, clock, timeoutMs: options.timeoutMs ?? 2_000, emailHttpClient: redirectingHttpClient(acs.url) }),
    clock,
    random: () => 0.5,
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.enqueueTimeoutMs !== undefined ? { enqueueTimeoutMs: options.enqueueTimeoutMs } : {}),
  });
  const worker = service.workerFor(log);
  return {
    teams,
    webhook,
    acs,
    queue,
    sent,
    clock,
    store,
    service,
    notifier: service.notifierFor(log),
    logs,
    drain: () => queue.drain({ handler: (m) => worker.handle(m), onDeadLetter: (m, reason) => Promise.reject(new Error(`notification ${m.event.id} for ${m.channel} dead-lettered: ${reason}`)), concurrency: QUEUE_SETTINGS.maxConcurrentCalls }),
    close: async () => {
      await Promise.all([teams.close(), webhook.close(), acs.close(), namespace.stop()]);
    },
  };
}
