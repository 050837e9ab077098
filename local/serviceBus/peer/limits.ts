/** Service Bus Standard tier limits (the tier infra deploys), enforced by the peer as the service does. */
export const STANDARD_TIER = {
  /** Largest message or batch, in bytes (256 KB). */
  maxMessageSizeBytes: 256 * 1024,
  maxMessageIdLength: 128,
} as const;
