import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { AzureMonitorLogExporter } from "@azure/monitor-opentelemetry-exporter";
import { ROOT_CONTEXT, trace as traces, TraceFlags, type Context } from "@opentelemetry/api";
import { SeverityNumber, type AnyValue } from "@opentelemetry/api-logs";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import { installStructuredLogSink, type LogLevel, type StructuredLogSink, type TraceParent } from "../ports/telemetry.js";

const SEVERITY: Record<LogLevel, SeverityNumber> = { info: SeverityNumber.INFO, warn: SeverityNumber.WARN, error: SeverityNumber.ERROR };

export interface AzureMonitorLogsOptions {
  readonly connectionString: string;
  /** Entra ID ingestion (the component has local auth disabled: infra/app/monitoring.bicep). */
  readonly credential?: TokenCredential;
  /** Off in tests: a failed export is not kept on disk for a later retry. */
  readonly offlineStorage?: boolean;
  /** The SDK pipeline's transport (tests capture what would reach the ingestion endpoint). */
  readonly httpClient?: HttpClient;
}

/**
 * Log records to Application Insights through the Azure Monitor OpenTelemetry exporter: each
 * record's attributes become the trace's customDimensions, so `customDimensions.runId` is a column
 * in KQL. (The Functions Node.js worker formats `context.info(message, object)` into one string
 * with util.format; its properties would not survive as keys.)
 */
export function createAzureMonitorLogSink(options: AzureMonitorLogsOptions): StructuredLogSink & { shutdown(): Promise<void> } {
  const exporter = new AzureMonitorLogExporter({
    connectionString: options.connectionString,
    ...(options.credential ? { credential: options.credential } : {}),
    disableOfflineStorage: options.offlineStorage === false,
    ...(options.httpClient ? { httpClient: options.httpClient } : {}),
  });
  const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor(exporter, { scheduledDelayMillis: 2_000 })] });
  const logger = provider.getLogger("asr-dr-automation");
  return {
    emit: (level, message, properties, trace) =>
      logger.emit({
        severityNumber: SEVERITY[level],
        severityText: level.toUpperCase(),
        body: message,
        attributes: toAttributes(properties),
        ...(trace ? { context: contextOf(trace) } : {}),
      }),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** The remote parent the record belongs to: the exporter sends its trace id as operation_Id, its span id as operation_ParentId. */
function contextOf(trace: TraceParent): Context {
  return traces.setSpanContext(ROOT_CONTEXT, {
    traceId: trace.traceId,
    spanId: trace.spanId,
    traceFlags: trace.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });
}

/** Log attributes are primitives (or arrays of them); anything else is kept as its JSON text. */
function toAttributes(properties: Readonly<Record<string, unknown>>): Record<string, AnyValue> {
  const attributes: Record<string, AnyValue> = {};
  for (const [key, value] of Object.entries(properties)) {
    if (value === undefined) continue;
    attributes[key] = typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : JSON.stringify(value);
  }
  return attributes;
}

let started: StructuredLogSink | undefined;

/**
 * Installs the Application Insights log sink once per process when the app settings name a
 * component; signs in with the managed identity when the authentication string asks for Entra ID.
 */
export function startTelemetry(
  settings: { APPLICATIONINSIGHTS_CONNECTION_STRING: string; APPLICATIONINSIGHTS_AUTHENTICATION_STRING: string },
  credential: TokenCredential,
): void {
  if (started || !settings.APPLICATIONINSIGHTS_CONNECTION_STRING) return;
  const entra = /(^|;)\s*Authorization\s*=\s*AAD\s*(;|$)/i.test(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING);
  started = createAzureMonitorLogSink({ connectionString: settings.APPLICATIONINSIGHTS_CONNECTION_STRING, ...(entra ? { credential } : {}) });
  installStructuredLogSink(started);
}
