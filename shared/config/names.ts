/** Names shared by the functions, the adapters and the infrastructure. */
export const STEP_QUEUE_NAME = "failover-steps";
/** Prefix of the identity-based Service Bus connection settings (`<name>__fullyQualifiedNamespace`). */
export const SERVICE_BUS_CONNECTION = "ServiceBusConnection";
/** Scheduled debounce checks of failover signals raised by alerts. */
export const INCIDENT_CHECK_QUEUE_NAME = "incident-checks";
export const FUNCTION_NAMES = { stepWorker: "stepWorker", stepDeadLetters: "stepDeadLetters", alerts: "alerts", incidentCheck: "incidentCheck" } as const;
/** Notification queue: one message per (event, channel); its worker delivers and schedules retries on it. */
export const NOTIFICATION_QUEUE_NAME = "notifications";
export const NOTIFICATION_WORKER_FUNCTION = "notificationWorker";
/**
 * Every Table Storage table the product keeps state in. infra/main.bicep creates exactly these
 * (test/infra checks), so the app needs no table-create right in Azure.
 */
export const STATE_TABLES = {
  runs: "runs",
  steps: "steps",
  locks: "locks",
  incidents: "incidents",
  audit: "audit",
  idempotency: "idempotency",
  healthReports: "healthreports",
  channelHealth: "channelHealth",
  notificationDeliveries: "notificationDeliveries",
} as const;
