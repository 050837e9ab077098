import { AzureNamedKeyCredential } from "@azure/data-tables";
import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { randomBytes } from "node:crypto";
import { createNotificationChannels } from "../shared/adapters/notificationChannels.js";
import { createTableNotificationStore } from "../shared/adapters/tableNotificationStore.js";
import type { NotificationMessage } from "../shared/notifications/notificationMessage.js";
import { createNotificationService, type NotificationService } from "../shared/notifications/notificationService.js";
import { parseNotificationSettings, type NotificationConfig } from "../shared/notifications/notificationSettings.js";
import type { Logger } from "../shared/ports/logger.js";
import { AZURITE_ACCOUNT, AZURITE_KEY } from "./azurite.js";
import { InProcessQueue } from "./inProcessQueue.js";
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
  readonly queue: InProcessQueue<NotificationMessage>;
  /** Plays the notification queue trigger until its queue is empty. */
  drain(log: Logger): Promise<void>;
}

/**
 * The production notification path for the sandbox and drills: queue notifier, worker and channel
 * adapters as in Azure, the in-process queue (Service Bus semantics) and Table Storage on Azurite.
 * `service.notifierFor(log)` is the notifier to give createLocalStack.
 */
export async function createLocalNotifications(options: LocalNotificationsOptions): Promise<LocalNotifications> {
  const keys = ["RUN_PAGE_BASE_URL", "NOTIFY_TEAMS_WEBHOOK_URL", "NOTIFY_WEBHOOK_URL", "NOTIFY_WEBHOOK_SIGNING_KEY", "NOTIFY_EMAIL_ENDPOINT", "NOTIFY_EMAIL_SENDER", "NOTIFY_EMAIL_TO", "NOTIFY_ROUTES"] as const;
  const config = Object.fromEntries(keys.map((k) => [k, options.config[k] ?? ""])) as unknown as NotificationConfig;
  const settings = parseNotificationSettings(config);
  const queue = new InProcessQueue<NotificationMessage>({ clock: options.clock, maxDeliveryCount: 10, duplicateWindowMs: 24 * 3_600_000 });
  const store = await createTableNotificationStore({
    endpoint: options.tableEndpoint,
    credential: new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    clientOptions: { allowInsecureConnection: true },
    tablePrefix: `n${randomBytes(4).toString("hex")}`,
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
      return queue.drain({ handler: (m) => worker.handle(m), onDeadLetter: () => Promise.resolve(), concurrency: 16 });
    },
  };
}
