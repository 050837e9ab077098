import { neutraliseControls, neutraliseLogValue } from "../text/safeText.js";
import type { Logger } from "../ports/logger.js";
import { parseTraceParent, structuredLogSink, type LogLevel } from "../ports/telemetry.js";
import type { Invocation } from "./hostTypes.js";

/**
 * Structured lines keyed by the invocation (invocationId, functionName). With Application Insights
 * configured, each line is one record whose keys stay queryable (customDimensions), in the
 * invocation's trace (operation_Id, from the host's traceparent); without it
 * (local hosts), the host's logger gets the line. Text values lose control characters and ANSI
 * escapes: a reason or an Azure error must not forge a log line or drive the console that tails it.
 */
export function invocationLogger(context: Invocation): Logger {
  // The host's own telemetry of the invocation carries this trace: records under it share its operation_Id.
  const trace = parseTraceParent(context.traceContext?.traceParent);
  const write = (level: LogLevel, message: string, properties: Record<string, unknown> = {}): void => {
    const text = neutraliseControls(message);
    const keys = { invocationId: context.invocationId, functionName: context.functionName, ...(neutraliseLogValue(properties) as Record<string, unknown>) };
    const sink = structuredLogSink();
    if (sink) sink.emit(level, text, keys, trace);
    else context[level](text, keys);
  };
  return {
    info: (message, properties) => write("info", message, properties),
    warn: (message, properties) => write("warn", message, properties),
    error: (message, properties) => write("error", message, properties),
  };
}
