/**
 * Structured logging: a constant message plus one object of keys (runId, stepId, alertId...).
 * Implementations strip control characters from text (see shared/host/invocationLogger.ts).
 */
export interface Logger {
  info(message: string, properties?: Record<string, unknown>): void;
  warn(message: string, properties?: Record<string, unknown>): void;
  error(message: string, properties?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A logger that adds the same keys (runId, stepId, incidentId...) to every line, bound once per message. */
export function withKeys(log: Logger, keys: Readonly<Record<string, unknown>>): Logger {
  return {
    info: (message, properties) => log.info(message, { ...keys, ...properties }),
    warn: (message, properties) => log.warn(message, { ...keys, ...properties }),
    error: (message, properties) => log.error(message, { ...keys, ...properties }),
  };
}
