import { AzureNamedKeyCredential } from "@azure/data-tables";
import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { randomBytes } from "node:crypto";
import { createNotificationChannels } from "../shared/adapters/notificationChannels.js";
import { createTableNotificationStore } from "../shared/adapters/tableNotificationStore.js";
import { NOTIFICATION_QUEUE_NAME } from "../shared/config/names.js";
import { parseNotificationMessage, type NotificationMessage } from "../shared/notifications/notificationMessage.js";
import { createNotificationService, type NotificationService } from "../shared/notifications/notificationService.js";
import { parseNotificationSettings, type NotificationConfig } from "../shared/notifications/notificationSettings.js";
import type { Logger } from "../shared/ports/logger.js";
import { AZURITE_ACCOUNT, AZURITE_KEY } from "./azurite.js";
import { QUEUE_SETTINGS } from "./localStack.js";
import { startLocalNamespace, type LocalQueue } from "./serviceBus/localServiceBus.js";
import type { SimulatedClock } from "./simulatedClock.js";

export interface LocalNotificationsOptions {
  /** The NOTIFY_* and RUN_PAGE_BASE_URL settings (e.g. from process.env or local.settings.json); missing ones are off. */
  readonly config: Partial<NotificationConfig>;
  readonly tableEndpoint: string;
  /** Its own clock: notification retries must not move the failover's simulated time. */
  readonly clock: SimulatedClock;
  /** For ACS e-mail (e.g. DefaultAzureCredential when an ACS endpoint is set locally). */
  readonly credential?: TokenCredential;
  readonly emailHttpClient?: HttpClient;
  readonly timeoutMs?: number;
}

export interface LocalNotifications {
  readonly service: NotificationService;
  /** The notification queue on its own local Service Bus namespace (its own clock). */
  readonly queue: LocalQueue<NotificationMessage>;
  /** Plays the notification queue trigger until its queue is empty. */
  drain(log: Logger): Promise<void>;
  /** Closes the queue's namespace. */
  stop(): Promise<void>;
}

/**
 * The production notification path for the sandbox and drills: queue notifier, worker and channel
 * adapters as in Azure, the queue on a local Service Bus peer and Table Storage on Azurite.
 * `service.notifierFor(log)` is the notifier to give createLocalStack.
 */
export async function createLocalNotifications(options: LocalNotificationsOptions): Promise<LocalNotifications> {
  const keys = ["RUN_PAGE_BASE_URL", "NOTIFY_TEAMS_WEBHOOK_URL", "NOTIFY_WEBHOOK_URL", "NOTIFY_WEBHOOK_SIGNING_KEY", "NOTIFY_EMAIL_ENDPOINT", "NOTIFY_EMAIL_SENDER", "NOTIFY_EMAIL_TO", "NOTIFY_ROUTES"] as const;
  const config = Object.fromEntries(keys.map((k) => [k, options.config[k] ?? ""])) as unknown as NotificationConfig;
  const settings = parseNotificationSettings(config);
  const store = await createTableNotificationStore({
    endpoint: options.tableEndpoint,
    credential: new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    clientOptions: { allowInsecureConnection: true },
    tablePrefix: `n${randomBytes(4).toString("hex")}`,
  });
  // Last, so a failure before it leaves no peer running.
  const namespace = await startLocalNamespace({ clock: options.clock });
  const queue = await namespace
    .addQueue({ name: NOTIFICATION_QUEUE_NAME, maxDeliveryCount: QUEUE_SETTINGS.maxDeliveryCount, duplicateWindowMs: QUEUE_SETTINGS.duplicateWindowMs, parse: parseNotificationMessage })
    .catch(async (error: unknown) => {
      await namespace.stop();
      throw error;
    });
  const noCredential: TokenCredential = { getToken: () => Promise.reject(new Error("no credential for ACS e-mail in this local stack")) };
  const service = createNotificationService({
    settings,
    queue,
    store,
    channels: createNotificationChannels(settings, {
      credential: options.credential ?? noCredential,
      clock: options.clock,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.emailHttpClient ? { emailHttpClient: options.emailHttpClient } : {}),
    }),
    clock: options.clock,
  });
  return {
    service,
    queue,
    drain: (log) => {
      const worker = service.workerFor(log);
      return queue.drain({
        handler: (m) => worker.handle(m),
        onDeadLetter: (m, reason) => Promise.resolve(log.error("notification dead-lettered", { eventId: m.event.id, channel: m.channel, reason })),
        concurrency: QUEUE_SETTINGS.maxConcurrentCalls,
      });
    },
    stop: () => namespace.stop(),
  };
}
