import { getAppRoot } from "../../root/appRoot.js";
import { parseNotificationMessage } from "../../notifications/notificationMessage.js";
import { withKeys } from "../../ports/logger.js";
import type { Invocation } from "../hostTypes.js";
import { invocationLogger } from "../invocationLogger.js";

/**
 * Delivers one notification attempt. A channel failure completes the message (the worker has
 * scheduled its retry or recorded that it gave up); only a failure of the worker's own state or
 * queue throws, and the message is redelivered.
 */
export async function handleNotificationMessage(message: unknown, context: Invocation): Promise<void> {
  const notification = parseNotificationMessage(message);
  const root = await getAppRoot();
  const keys = { eventId: notification.event.id, runId: notification.event.runId, channel: notification.channel };
  await root.notifications.workerFor(withKeys(invocationLogger(context), keys)).handle(notification);
}
