import { app } from "@azure/functions";
import { NOTIFICATION_QUEUE_NAME, NOTIFICATION_WORKER_FUNCTION, SERVICE_BUS_CONNECTION } from "../shared/config/names.js";
import { handleNotificationMessage } from "../shared/host/triggers/notifications.js";

app.serviceBusQueue(NOTIFICATION_WORKER_FUNCTION, {
  connection: SERVICE_BUS_CONNECTION,
  queueName: NOTIFICATION_QUEUE_NAME,
  handler: handleNotificationMessage,
});
