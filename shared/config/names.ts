/** Names shared by the functions, the adapters and the infrastructure. */
export const STEP_QUEUE_NAME = "failover-steps";
/** Prefix of the identity-based Service Bus connection settings (`<name>__fullyQualifiedNamespace`). */
export const SERVICE_BUS_CONNECTION = "ServiceBusConnection";
export const FUNCTION_NAMES = { stepWorker: "stepWorker", stepDeadLetters: "stepDeadLetters" } as const;
