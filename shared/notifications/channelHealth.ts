import { CHANNEL_NAMES, type ChannelName } from "../ports/notificationChannel.js";
import type { ChannelHealthRecord, DeliveryRecord, NotificationStore } from "../ports/notificationStore.js";
import type { NotificationSettings } from "./notificationSettings.js";

/**
 * healthy: last attempt delivered (or none yet); degraded: a few failures in a row; failing: at
 * least FAILING_AFTER in a row; misconfigured: its settings are wrong, so it is off.
 */
export type ChannelState = "healthy" | "degraded" | "failing" | "misconfigured";

export interface ChannelHealth {
  readonly channel: ChannelName;
  readonly state: ChannelState;
  readonly consecutiveFailures: number;
  readonly delivered: number;
  readonly totalFailures: number;
  readonly lastSuccessAt?: string;
  readonly lastFailureAt?: string;
  readonly lastError?: string;
  /** Setting problems that keep the channel off. */
  readonly problems: readonly string[];
}

/** Failed attempts in a row after which a channel is reported as failing. */
export const FAILING_AFTER = 3;

/** Every channel that is configured, misconfigured or has a history, with its state. Pure. */
export function summariseChannelHealth(records: readonly ChannelHealthRecord[], settings: Pick<NotificationSettings, "routes" | "problems">): ChannelHealth[] {
  return CHANNEL_NAMES.flatMap((channel): ChannelHealth[] => {
    const record = records.find((r) => r.channel === channel);
    const problems = settings.problems.filter((p) => p.channel === channel).map((p) => `${p.setting} ${p.problem}`);
    if (!record && problems.length === 0 && !settings.routes.has(channel)) return [];
    const failures = record?.consecutiveFailures ?? 0;
    const state: ChannelState = problems.length > 0 ? "misconfigured" : failures >= FAILING_AFTER ? "failing" : failures > 0 ? "degraded" : "healthy";
    return [
      {
        channel,
        state,
        consecutiveFailures: failures,
        delivered: record?.delivered ?? 0,
        totalFailures: record?.totalFailures ?? 0,
        ...(record?.lastSuccessAt ? { lastSuccessAt: record.lastSuccessAt } : {}),
        ...(record?.lastFailureAt ? { lastFailureAt: record.lastFailureAt } : {}),
        ...(record?.lastError ? { lastError: record.lastError } : {}),
        problems,
      },
    ];
  });
}

/** For the health check and the run status: each channel's state. */
export async function getChannelHealth(store: NotificationStore, settings: Pick<NotificationSettings, "routes" | "problems">): Promise<ChannelHealth[]> {
  return summariseChannelHealth(await store.listChannelHealth(), settings);
}

export interface RunNotificationStatus {
  /** Every (event, channel) of the run: delivered, retrying (with its next attempt) or failed. */
  readonly deliveries: readonly DeliveryRecord[];
  readonly channels: readonly ChannelHealth[];
  /** Channels failing or misconfigured, or with a failed delivery for this run: what a status page flags. */
  readonly attention: readonly ChannelName[];
}

/** For the run status (GET /api/runs/{runId}): how the run's notifications went. */
export async function getRunNotificationStatus(
  store: NotificationStore,
  settings: Pick<NotificationSettings, "routes" | "problems">,
  runId: string,
): Promise<RunNotificationStatus> {
  const [deliveries, channels] = await Promise.all([store.listDeliveries(runId), getChannelHealth(store, settings)]);
  const attention = CHANNEL_NAMES.filter(
    (channel) =>
      deliveries.some((d) => d.channel === channel && d.status === "failed") ||
      channels.some((c) => c.channel === channel && (c.state === "failing" || c.state === "misconfigured")),
  );
  return { deliveries, channels, attention };
}
