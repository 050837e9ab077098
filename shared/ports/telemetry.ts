export type LogLevel = "info" | "warn" | "error";

/**
 * Where structured log records go when Application Insights is configured: one record per line,
 * its properties kept as queryable keys (customDimensions), not formatted into the text.
 */
export interface StructuredLogSink {
  emit(level: LogLevel, message: string, properties: Readonly<Record<string, unknown>>): void;
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
