import { app, type InvocationContext } from "@azure/functions";
import { getAppRoot } from "../shared/appRoot.js";
import { NOTIFICATION_QUEUE_NAME, NOTIFICATION_WORKER_FUNCTION, SERVICE_BUS_CONNECTION } from "../shared/config/names.js";
import { parseNotificationMessage } from "../shared/notifications/notificationMessage.js";
import { withKeys } from "../shared/ports/logger.js";
import { invocationLogger } from "./invocationLogger.js";

/**
 * Delivers one notification attempt. A channel failure completes the message (the worker has
 * scheduled its retry or recorded that it gave up); only a failure of the worker's own state or
 * queue throws, and the message is redelivered.
 */
export async function handleNotificationMessage(message: unknown, context: InvocationContext): Promise<void> {
  const notification = parseNotificationMessage(message);
  const root = await getAppRoot();
  if (!root.notifications) throw new Error("notifications are not wired in this host");
  const keys = { eventId: notification.event.id, runId: notification.event.runId, channel: notification.channel };
  await root.notifications.workerFor(withKeys(invocationLogger(context), keys)).handle(notification);
}

app.serviceBusQueue(NOTIFICATION_WORKER_FUNCTION, { connection: SERVICE_BUS_CONNECTION, queueName: NOTIFICATION_QUEUE_NAME, handler: handleNotificationMessage });
