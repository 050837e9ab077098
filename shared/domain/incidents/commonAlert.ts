import { z } from "zod";

/** An Azure Monitor alert in the common alert schema, reduced to what the product reasons about. */
export interface ParsedAlert {
  readonly alertId: string;
  readonly rule: string;
  readonly severity: string;
  readonly signalType: string;
  readonly monitoringService: string;
  readonly condition: "Fired" | "Resolved";
  /** ARM ids of the resources the alert is about (lower-cased: ARM ids are case-insensitive). */
  readonly targets: readonly string[];
  readonly firedAt: string;
  readonly resolvedAt?: string;
  /** Metric and log-search conditions (metric name, value, dimensions, query). */
  readonly criteria: readonly AlertCriterion[];
  /** Resource Health: the resource's health now and before, and who caused the change (PlatformInitiated, UserInitiated). */
  readonly health?: { readonly current: string; readonly previous: string; readonly cause?: string };
}

export interface AlertCriterion {
  readonly metricName?: string;
  readonly metricValue?: number;
  readonly searchQuery?: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

export const COMMON_ALERT_SCHEMA_ID = "azureMonitorCommonAlertSchema";

/**
 * Bounds of every field the product reads, far above what Azure Monitor sends (an alert id is an
 * ARM id of about 120 characters, an alert rule name at most 260), so an oversized field is refused
 * at the edge with its name instead of growing stored state. Documented in docs/http-api.md.
 */
export const ALERT_FIELD_LIMITS = {
  schemaId: 64,
  alertId: 1024,
  alertRule: 260,
  severity: 16,
  signalType: 64,
  monitoringService: 128,
  dateTime: 64,
  alertTargetIDs: 50,
  alertTargetID: 1024,
  conditions: 50,
  metricName: 256,
  searchQuery: 32 * 1024,
  dimensions: 50,
  dimensionName: 256,
  dimensionValue: 1024,
  healthField: 64,
} as const;
const L = ALERT_FIELD_LIMITS;

const DateTime = z
  .string()
  .max(L.dateTime)
  .refine((v) => !Number.isNaN(Date.parse(v)), "a date-time");

const Essentials = z.looseObject({
  alertId: z.string().min(1).max(L.alertId),
  alertRule: z.string().min(1).max(L.alertRule),
  severity: z.string().min(1).max(L.severity),
  signalType: z.string().min(1).max(L.signalType),
  monitorCondition: z.enum(["Fired", "Resolved"]),
  monitoringService: z.string().min(1).max(L.monitoringService),
  alertTargetIDs: z.array(z.string().max(L.alertTargetID)).max(L.alertTargetIDs).nullish(),
  firedDateTime: DateTime,
  resolvedDateTime: DateTime.nullish(),
});

const Criterion = z.looseObject({
  metricName: z.string().max(L.metricName).nullish(),
  metricValue: z.union([z.number(), z.string().max(64)]).nullish(),
  searchQuery: z.string().max(L.searchQuery).nullish(),
  dimensions: z
    .array(z.looseObject({ name: z.string().max(L.dimensionName), value: z.string().max(L.dimensionValue) }))
    .max(L.dimensions)
    .nullish(),
});

const AlertContext = z.looseObject({
  condition: z.looseObject({ allOf: z.array(Criterion).max(L.conditions).nullish() }).nullish(),
  properties: z.unknown().optional(),
});

const CommonAlert = z.looseObject({
  schemaId: z.string().max(L.schemaId),
  data: z.looseObject({ essentials: Essentials, alertContext: AlertContext.nullish() }),
});

export type AlertParseResult = { readonly ok: true; readonly alert: ParsedAlert } | { readonly ok: false; readonly problems: readonly string[] };

/** Validates a decoded JSON body as a common-schema alert; every problem is named by its path. */
export function parseCommonAlert(body: unknown): AlertParseResult {
  if (typeof body === "object" && body !== null && "schemaId" in body && body.schemaId !== COMMON_ALERT_SCHEMA_ID) {
    // Echo a short value only: the caller's text goes into the answer and the audit.
    const value =
      typeof body.schemaId === "string" && body.schemaId.length <= L.schemaId
        ? `'${body.schemaId}'`
        : `a value (over ${L.schemaId} characters or not a string)`;
    return { ok: false, problems: [`schemaId: ${value} is not supported; enable the common alert schema on the action group`] };
  }
  const parsed = CommonAlert.safeParse(body);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`) };
  const { essentials, alertContext } = parsed.data.data;
  return {
    ok: true,
    alert: {
      alertId: essentials.alertId,
      rule: essentials.alertRule,
      severity: essentials.severity,
      signalType: essentials.signalType,
      monitoringService: essentials.monitoringService,
      condition: essentials.monitorCondition,
      targets: (essentials.alertTargetIDs ?? []).map((id) => id.toLowerCase()),
      firedAt: essentials.firedDateTime,
      ...(essentials.resolvedDateTime ? { resolvedAt: essentials.resolvedDateTime } : {}),
      criteria: (alertContext?.condition?.allOf ?? []).map(toCriterion),
      ...healthOf(alertContext?.properties),
    },
  };
}

function toCriterion(c: z.infer<typeof Criterion>): AlertCriterion {
  const value = typeof c.metricValue === "string" ? Number(c.metricValue) : c.metricValue;
  return {
    ...(c.metricName ? { metricName: c.metricName } : {}),
    ...(value !== null && value !== undefined && Number.isFinite(value) ? { metricValue: value } : {}),
    ...(c.searchQuery ? { searchQuery: c.searchQuery } : {}),
    dimensions: Object.fromEntries((c.dimensions ?? []).map((d) => [d.name, d.value])),
  };
}

/**
 * Resource Health's activity-log event properties: currentHealthStatus/previousHealthStatus
 * (Available, Unavailable, Degraded, Unknown) and cause (PlatformInitiated, UserInitiated), as
 * Microsoft's "Configure resource health alerts using Resource Manager templates" filters them
 * (learn.microsoft.com/azure/service-health/resource-health-alert-arm-template-guide).
 */
const HealthProperties = z.looseObject({
  currentHealthStatus: z.string().max(L.healthField),
  previousHealthStatus: z.string().max(L.healthField),
  cause: z.string().max(L.healthField).nullish(),
});

function healthOf(properties: unknown): { health?: NonNullable<ParsedAlert["health"]> } {
  const parsed = HealthProperties.safeParse(properties);
  if (!parsed.success) return {};
  const { currentHealthStatus: current, previousHealthStatus: previous, cause } = parsed.data;
  return { health: { current, previous, ...(cause ? { cause } : {}) } };
}
