import type { TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import { getAppRoot } from "../appRoot.js";
import { loadConfig } from "../config/loadConfig.js";
import { loadEstateFile } from "../config/loadEstateFile.js";
import type { NotificationChannelState } from "../domain/health/healthSnapshot.js";
import { healthCheckRootFrom, type HealthCheckRoot } from "../health/healthCheckRoot.js";
import { createRunHistoryReader } from "../health/runHistoryReader.js";
import { systemClock } from "../ports/clock.js";
import type { Logger } from "../ports/logger.js";
import type { NotifierPort } from "../ports/notifier.js";
import { createHealthPorts } from "./healthPorts.js";
import { startTelemetry } from "./telemetry.js";
import { createTableHealthHistory } from "./tableHealthHistory.js";
import { createTableRunStore } from "./tableRunStore.js";

/**
 * The health check in the Function App: managed identity, the real ARM, Monitor and Log Analytics
 * endpoints, history in the state tables. Notifications go through the app's notification service
 * when the app root is up; if it cannot start, the check still runs and its result goes to the log.
 */
export async function buildProductionHealthCheck(env: Readonly<Record<string, string | undefined>>): Promise<HealthCheckRoot> {
  const config = loadConfig(env);
  const estate = await loadEstateFile(config.ESTATE_CONFIG_PATH);
  const credential: TokenCredential = config.AZURE_CLIENT_ID ? new ManagedIdentityCredential({ clientId: config.AZURE_CLIENT_ID }) : new DefaultAzureCredential();
  startTelemetry(config, credential);
  const ports = createHealthPorts({ credential, subscriptionId: estate.subscriptionId, clock: systemClock });
  const tables = { endpoint: config.StateTables__tableServiceUri, credential };
  // The run store read directly, not through the app root: drills' results count even when the app cannot start.
  const [history, runs] = await Promise.all([createTableHealthHistory(tables), createTableRunStore(tables)]);
  const runHistory = createRunHistoryReader({ store: runs, estate });
  const app = await getAppRoot().catch(() => undefined);
  const notifications = app?.notifications;
  const channels = notifications
    ? async (): Promise<NotificationChannelState[]> =>
        (await notifications.getChannelHealth()).map((c) => ({
          channel: c.channel,
          state: c.state,
          ...(c.problems.length > 0 ? { detail: c.problems.join("; ") } : c.lastError ? { detail: c.lastError } : {}),
        }))
    : undefined;
  return healthCheckRootFrom((log) => ({
    estate,
    readers: { ...ports, runHistory, ...(channels ? { notificationChannels: channels } : {}) },
    history,
    notifier: notifications ? notifications.notifierFor(log) : loggingNotifier(log),
    clock: systemClock,
    log,
  }));
}

function loggingNotifier(log: Logger): NotifierPort {
  return { notify: (event) => Promise.resolve(log.info("health check event", { runId: event.runId, kind: event.kind, summary: event.summary })) };
}
