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
  /** Resource Health: the resource's health now and before. */
  readonly health?: { readonly current: string; readonly previous: string };
}

export interface AlertCriterion {
  readonly metricName?: string;
  readonly metricValue?: number;
  readonly searchQuery?: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

export const COMMON_ALERT_SCHEMA_ID = "azureMonitorCommonAlertSchema";

const DateTime = z.string().refine((v) => !Number.isNaN(Date.parse(v)), "a date-time");

const Essentials = z.looseObject({
  alertId: z.string().min(1),
  alertRule: z.string().min(1),
  severity: z.string().min(1),
  signalType: z.string().min(1),
  monitorCondition: z.enum(["Fired", "Resolved"]),
  monitoringService: z.string().min(1),
  alertTargetIDs: z.array(z.string()).nullish(),
  firedDateTime: DateTime,
  resolvedDateTime: DateTime.nullish(),
});

const Criterion = z.looseObject({
  metricName: z.string().nullish(),
  metricValue: z.union([z.number(), z.string()]).nullish(),
  searchQuery: z.string().nullish(),
  dimensions: z.array(z.looseObject({ name: z.string(), value: z.string() })).nullish(),
});

const AlertContext = z.looseObject({
  condition: z.looseObject({ allOf: z.array(Criterion).nullish() }).nullish(),
  properties: z.unknown().optional(),
});

const CommonAlert = z.looseObject({
  schemaId: z.string(),
  data: z.looseObject({ essentials: Essentials, alertContext: AlertContext.nullish() }),
});

export type AlertParseResult = { readonly ok: true; readonly alert: ParsedAlert } | { readonly ok: false; readonly problems: readonly string[] };

/** Validates a decoded JSON body as a common-schema alert; every problem is named by its path. */
export function parseCommonAlert(body: unknown): AlertParseResult {
  if (typeof body === "object" && body !== null && "schemaId" in body && body.schemaId !== COMMON_ALERT_SCHEMA_ID) {
    return { ok: false, problems: [`schemaId: '${String(body.schemaId)}' is not supported; enable the common alert schema on the action group`] };
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

const HealthProperties = z.looseObject({ currentHealthStatus: z.string(), previousHealthStatus: z.string() });

function healthOf(properties: unknown): { health?: ParsedAlert["health"] } {
  const parsed = HealthProperties.safeParse(properties);
  return parsed.success ? { health: { current: parsed.data.currentHealthStatus, previous: parsed.data.previousHealthStatus } } : {};
}
