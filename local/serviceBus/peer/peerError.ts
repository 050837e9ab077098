/** The AMQP error conditions the peer answers with, as Service Bus spells them (the SDK maps each to a ServiceBusError code). */
export const CONDITIONS = {
  entityNotFound: "com.microsoft:entity-not-found",
  messageLockLost: "com.microsoft:message-lock-lost",
  messageNotFound: "com.microsoft:message-not-found",
  argumentOutOfRange: "com.microsoft:argument-out-of-range",
  argumentError: "com.microsoft:argument-error",
  messageSizeExceeded: "amqp:link:message-size-exceeded",
  notImplemented: "amqp:not-implemented",
  notAllowed: "amqp:not-allowed",
  unauthorized: "amqp:unauthorized-access",
  decodeError: "amqp:decode-error",
  internalError: "amqp:internal-error",
} as const;

export type Condition = (typeof CONDITIONS)[keyof typeof CONDITIONS];

/** HTTP-like status codes carried by $management and $cbs replies for each condition. */
export const STATUS_BY_CONDITION: Readonly<Record<Condition, number>> = {
  [CONDITIONS.entityNotFound]: 404,
  [CONDITIONS.messageLockLost]: 410,
  [CONDITIONS.messageNotFound]: 404,
  [CONDITIONS.argumentOutOfRange]: 400,
  [CONDITIONS.argumentError]: 400,
  [CONDITIONS.messageSizeExceeded]: 403,
  [CONDITIONS.notImplemented]: 501,
  [CONDITIONS.notAllowed]: 400,
  [CONDITIONS.unauthorized]: 401,
  [CONDITIONS.decodeError]: 400,
  [CONDITIONS.internalError]: 500,
};

/** A refusal the peer sends back over AMQP: a rejected delivery, a refused link, or an error reply. */
export class PeerError extends Error {
  override readonly name = "PeerError";
  constructor(
    readonly condition: Condition,
    description: string,
  ) {
    super(description);
  }
}

export function notImplemented(what: string): PeerError {
  return new PeerError(CONDITIONS.notImplemented, `the local Service Bus peer does not implement ${what}`);
}

/** Any failure as the AMQP error the peer sends: PeerErrors keep their condition, anything else is an internal error. */
export function toAmqpError(error: unknown): { condition: Condition; description: string } {
  if (error instanceof PeerError) return { condition: error.condition, description: error.message };
  return { condition: CONDITIONS.internalError, description: error instanceof Error ? error.message : String(error) };
}
