import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { createTableNotificationStore } from "../../shared/adapters/tableNotificationStore.js";
import type { NotificationMessage } from "../../shared/notifications/notificationMessage.js";
import type { NotificationService } from "../../shared/notifications/notificationService.js";
import type { DeliveryPolicy } from "../../shared/notifications/notificationWorker.js";
import type { NotificationStore } from "../../shared/ports/notificationStore.js";
import type { NotifierPort } from "../../shared/ports/notifier.js";
import type { OutgoingMessage } from "../../shared/ports/queue.js";
import { azuriteTables } from "../../local/azurite.js";
import { createLocalStack } from "../../local/localStack.js";
import type { LocalQueue } from "../../local/serviceBus/localServiceBus.js";
import { SimulatedClock } from "../../local/simulatedClock.js";
import { capturingLogger, type LogLine } from "../runs/engineHarness.js";
import { sampleEstate } from "../helpers.js";
import { SIGNING_KEY } from "./fixtures.js";
import { acsAccepted, fakeCredential, redirectingHttpClient, startReceiver, type Receiver, type Responder } from "./receivers.js";

export const ACS_ENDPOINT = "https://acs-test.communication.azure.com";
export const EMAIL_SENDER = "DoNotReply@dr.contoso.com";
export const EMAIL_TO = ["oncall@contoso.com", "it@contoso.com"];
export const RUN_PAGE = "https://func-dr.azurewebsites.net/api/runs";

export async function azuriteNotificationStore(tablePrefix = `n${randomBytes(4).toString("hex")}`): Promise<NotificationStore> {
  return createTableNotificationStore(azuriteTables(inject("tableEndpoint"), tablePrefix));
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
/**
 * The production notification path of the app's one root (queue notifier, worker, channel adapters,
 * Table Storage on Azurite), with the queue on a local Service Bus peer on its own simulated clock and
 * the three channels pointed at local receivers on 127.0.0.1.
 */
export async function createDeliveryStack(options: DeliveryStackOptions = {}): Promise<DeliveryStack> {
  const [teams, webhook, acs] = await Promise.all([
    startReceiver(options.teams),
    startReceiver(options.webhook ?? (() => ({ status: 204 }))),
    startReceiver(options.acs ?? acsAccepted),
  ]);
  const { log, logs } = capturingLogger();
  const stack = await createLocalStack({
    estate: sampleEstate(),
    tableEndpoint: inject("tableEndpoint"),
    log,
    clock: new SimulatedClock(options.start ?? new Date("2026-11-25T02:00:00Z"), { realTime: false }),
    realTime: false,
    settings: {
      RUN_PAGE_BASE_URL: RUN_PAGE,
      NOTIFY_TEAMS_WEBHOOK_URL: `${teams.url}/workflows/teams`,
      NOTIFY_WEBHOOK_URL: `${webhook.url}/dr-events`,
      NOTIFY_WEBHOOK_SIGNING_KEY: SIGNING_KEY,
      NOTIFY_EMAIL_ENDPOINT: ACS_ENDPOINT,
      NOTIFY_EMAIL_SENDER: EMAIL_SENDER,
      NOTIFY_EMAIL_TO: EMAIL_TO.join(","),
      NOTIFY_ROUTES: options.routes ?? "",
    },
    notificationTransport: { credential: fakeCredential, timeoutMs: options.timeoutMs ?? 2_000, emailHttpClient: redirectingHttpClient(acs.url) },
    notificationTuning: {
      random: () => 0.5,
      ...(options.policy ? { policy: options.policy } : {}),
      ...(options.enqueueTimeoutMs !== undefined ? { enqueueTimeoutMs: options.enqueueTimeoutMs } : {}),
    },
  });
  const service = stack.root.notifications;
  if (service.settings.problems.length > 0) throw new Error(`test settings invalid: ${JSON.stringify(service.settings.problems)}`);
  const queue = stack.notifications;
  const sent: OutgoingMessage<NotificationMessage>[] = [];
  // The queue's send is a property: the service the root built sends through this wrapper.
  const send = queue.send.bind(queue);
  queue.send = (messages) => {
    sent.push(...messages);
    return send(messages);
  };
  return {
    teams,
    webhook,
    acs,
    queue,
    sent,
    clock: stack.notificationClock,
    store: await azuriteNotificationStore(stack.tablePrefix),
    service,
    notifier: service.notifierFor(log),
    logs,
    drain: () =>
      stack.drainNotifications({
        onDeadLetter: (m, reason) => Promise.reject(new Error(`notification ${m.event.id} for ${m.channel} dead-lettered: ${reason}`)),
      }),
    close: async () => {
      await Promise.all([teams.close(), webhook.close(), acs.close(), stack.stop()]);
    },
  };
}
