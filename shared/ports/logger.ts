/**
 * Structured logging: a constant message plus one object of keys (runId, stepId, alertId...).
 * Implementations strip control characters from text (see functions/invocationLogger.ts).
 */
export interface Logger {
  info(message: string, properties?: Record<string, unknown>): void;
  warn(message: string, properties?: Record<string, unknown>): void;
  error(message: string, properties?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
