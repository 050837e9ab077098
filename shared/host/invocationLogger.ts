import { neutraliseControls, neutraliseLogValue } from "../text/safeText.js";
import type { Logger } from "../ports/logger.js";
import { structuredLogSink, type LogLevel } from "../ports/telemetry.js";
import type { Invocation } from "./hostTypes.js";

/**
 * Structured lines keyed by the invocation (invocationId, functionName). With Application Insights
 * configured, each line is one record whose keys stay queryable (customDimensions); without it
 * (local hosts), the host's logger gets the line. Text values lose control characters and ANSI
 * escapes: a reason or an Azure error must not forge a log line or drive the console that tails it.
 */
export function invocationLogger(context: Invocation): Logger {
  const write = (level: LogLevel, message: string, properties: Record<string, unknown> = {}): void => {
    const text = neutraliseControls(message);
    const keys = { invocationId: context.invocationId, functionName: context.functionName, ...(neutraliseLogValue(properties) as Record<string, unknown>) };
    const sink = structuredLogSink();
    if (sink) sink.emit(level, text, keys);
    else context[level](text, keys);
  };
  return {
    info: (message, properties) => write("info", message, properties),
    warn: (message, properties) => write("warn", message, properties),
    error: (message, properties) => write("error", message, properties),
  };
}
