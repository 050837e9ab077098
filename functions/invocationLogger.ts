import type { InvocationContext } from "@azure/functions";
import { neutraliseControls, neutraliseLogValue } from "../shared/notifications/safeText.js";
import type { Logger } from "../shared/ports/logger.js";

/**
 * Structured lines through the host's logger, with the invocation id as a correlation key. Text
 * values lose control characters and ANSI escapes: a reason or an Azure error must not forge a log
 * line or drive the console that tails it.
 */
export function invocationLogger(context: InvocationContext): Logger {
  const line = (properties: Record<string, unknown> = {}) => ({ invocationId: context.invocationId, ...(neutraliseLogValue(properties) as Record<string, unknown>) });
  return {
    info: (message, properties) => context.info(neutraliseControls(message), line(properties)),
    warn: (message, properties) => context.warn(neutraliseControls(message), line(properties)),
    error: (message, properties) => context.error(neutraliseControls(message), line(properties)),
  };
}
