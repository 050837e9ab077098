export type LogLevel = "info" | "warn" | "error";

/** The ids of a W3C traceparent (version 00): `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`. */
export interface TraceParent {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
}

/**
 * Parses a traceparent header value (w3.org/TR/trace-context/#traceparent-header); undefined for anything
 * else, including the all-zero ids the specification calls invalid.
 */
export function parseTraceParent(value: string | undefined): TraceParent | undefined {
  const match = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(value?.trim().toLowerCase() ?? "");
  if (!match) return undefined;
  const [, version, traceId = "", spanId = "", flags = "00"] = match;
  if (version === "ff" || /^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/**
 * Where structured log records go when Application Insights is configured: one record per line,
 * its properties kept as queryable keys (customDimensions), not formatted into the text.
 */
export interface StructuredLogSink {
  /** `trace`: the invocation's W3C trace the record belongs to, so that it sits under the invocation's operation. */
  emit(level: LogLevel, message: string, properties: Readonly<Record<string, unknown>>, trace?: TraceParent): void;
  /** Sends what is buffered (a Function invocation may be the last before the instance is frozen). */
  flush(): Promise<void>;
}

let installed: StructuredLogSink | undefined;

/** Installed once per process by the composition root; invocation loggers write to it from then on. */
export function installStructuredLogSink(sink: StructuredLogSink | undefined): void {
  installed = sink;
}

export function structuredLogSink(): StructuredLogSink | undefined {
  return installed;
}
