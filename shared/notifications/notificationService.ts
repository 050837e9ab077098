import type { Clock } from "../ports/clock.js";
import type { Logger } from "../ports/logger.js";
import type { ChannelName, NotificationChannel } from "../ports/notificationChannel.js";
import type { NotificationStore } from "../ports/notificationStore.js";
import type { NotifierPort } from "../ports/notifier.js";
import type { QueuePort } from "../ports/queue.js";
import { getChannelHealth, getRunNotificationStatus, type ChannelHealth, type RunNotificationStatus } from "./channelHealth.js";
import type { NotificationMessage } from "./notificationMessage.js";
import type { NotificationSettings } from "./notificationSettings.js";
import { createNotificationWorker, type DeliveryPolicy, type NotificationWorker } from "./notificationWorker.js";
import { createQueueNotifier } from "./queueNotifier.js";

export interface NotificationServiceDeps {
  readonly settings: NotificationSettings;
  readonly queue: QueuePort<NotificationMessage>;
  readonly store: NotificationStore;
  readonly channels: Partial<Record<ChannelName, NotificationChannel>>;
  readonly clock: Clock;
  readonly policy?: Partial<DeliveryPolicy>;
  readonly enqueueTimeoutMs?: number;
  readonly random?: () => number;
}

/** Everything notifications offer the rest of the app, wired the same way in Azure and locally. */
export interface NotificationService {
  readonly settings: NotificationSettings;
  /** For the engine (and the alert policy, the health check): enqueues, never waits on a channel. */
  notifierFor(log: Logger): NotifierPort;
  /** For the notification queue trigger. */
  workerFor(log: Logger): NotificationWorker;
  /** For the health check: each channel's state (failing, misconfigured...). */
  getChannelHealth(): Promise<ChannelHealth[]>;
  /** For the run status: the run's deliveries and the channels needing attention. */
  getRunNotificationStatus(runId: string): Promise<RunNotificationStatus>;
}

export function createNotificationService(deps: NotificationServiceDeps): NotificationService {
  const { settings } = deps;
  let problemsLogged = false;
  const logProblemsOnce = (log: Logger): void => {
    if (problemsLogged || settings.problems.length === 0) return;
    problemsLogged = true;
    for (const p of settings.problems) log.error("notification setting invalid, channel off", { setting: p.setting, channel: p.channel, problem: p.problem });
  };
  return {
    settings,
    notifierFor(log) {
      logProblemsOnce(log);
      return createQueueNotifier({
        queue: deps.queue,
        routes: settings.routes,
        log,
        ...(settings.runPageBaseUrl ? { runPageBaseUrl: settings.runPageBaseUrl } : {}),
        ...(deps.enqueueTimeoutMs !== undefined ? { enqueueTimeoutMs: deps.enqueueTimeoutMs } : {}),
      });
    },
    workerFor(log) {
      logProblemsOnce(log);
      return createNotificationWorker({
        channels: deps.channels,
        queue: deps.queue,
        store: deps.store,
        clock: deps.clock,
        log,
        ...(deps.policy ? { policy: deps.policy } : {}),
        ...(deps.random ? { random: deps.random } : {}),
      });
    },
    getChannelHealth: () => getChannelHealth(deps.store, settings),
    getRunNotificationStatus: (runId) => getRunNotificationStatus(deps.store, settings, runId),
  };
}
