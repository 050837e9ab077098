import type { InvocationContext } from "@azure/functions";
import type { Logger } from "../shared/ports/logger.js";

/** Structured lines through the host's logger, with the invocation id as a correlation key. */
export function invocationLogger(context: InvocationContext): Logger {
  const line = (properties: Record<string, unknown> = {}) => ({ invocationId: context.invocationId, ...properties });
  return {
    info: (message, properties) => context.info(message, line(properties)),
    warn: (message, properties) => context.warn(message, line(properties)),
    error: (message, properties) => context.error(message, line(properties)),
  };
}
