import fc from "fast-check";
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ALERT_FIELD_LIMITS, parseCommonAlert } from "../../../shared/domain/incidents/commonAlert.js";
import { readSample, SAMPLES_DIR } from "../../helpers.js";

const alertSamples = readdirSync(SAMPLES_DIR).filter((f) => f.startsWith("alert-"));

describe("parseCommonAlert", () => {
  it.each(alertSamples)("accepts the real sample %s", (file) => {
    const result = parseCommonAlert(readSample(file));
    expect(result.ok).toBe(true);
  });

  it("reads metric criteria, Resource Health states and resolved times", () => {
    const metric = parseCommonAlert(readSample("alert-metric-fired.json"));
    expect(metric).toMatchObject({ ok: true, alert: { condition: "Fired", criteria: [{ metricName: "Transactions", metricValue: 78.09 }] } });
    const health = parseCommonAlert(readSample("alert-resourcehealth.json"));
    expect(health).toMatchObject({ ok: true, alert: { monitoringService: "Resource Health", health: { current: "Unavailable", previous: "Available" } } });
    const resolved = parseCommonAlert(readSample("alert-metric-resolved.json"));
    expect(resolved).toMatchObject({ ok: true, alert: { condition: "Resolved", resolvedAt: "2019-03-22T14:03:16.2246313Z" } });
    const log = parseCommonAlert(readSample("alert-log-v2.json"));
    expect(log).toMatchObject({ ok: true, alert: { criteria: [{ searchQuery: "Heartbeat", dimensions: { Computer: "test-computer" } }] } });
  });

  it("refuses another schema with advice, and names each missing essential field", () => {
    expect(parseCommonAlert({ schemaId: "Microsoft.Insights/activityLogs", data: {} })).toEqual({
      ok: false,
      problems: ["schemaId: 'Microsoft.Insights/activityLogs' is not supported; enable the common alert schema on the action group"],
    });
    const sample = readSample("alert-metric-fired.json") as { data: { essentials: Record<string, unknown> } };
    delete sample.data.essentials.alertId;
    sample.data.essentials.monitorCondition = "Maybe";
    const result = parseCommonAlert(sample);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems.some((p) => p.startsWith("data.essentials.alertId:"))).toBe(true);
      expect(result.problems.some((p) => p.startsWith("data.essentials.monitorCondition:"))).toBe(true);
    }
  });

  it("never throws on arbitrary JSON, and accepts only what has the essentials", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = parseCommonAlert(value);
        if (result.ok) expect(result.alert.alertId.length).toBeGreaterThan(0);
        else expect(result.problems.length).toBeGreaterThan(0);
      }),
    );
  });

  it("rejects a valid alert with any one essential field removed or retyped", () => {
    const essentials = ["alertId", "alertRule", "severity", "signalType", "monitorCondition", "monitoringService", "firedDateTime"];
    fc.assert(
      fc.property(fc.constantFrom(...essentials), fc.constantFrom(undefined, 42, "", null, [] as unknown[]), (field, value) => {
        const sample = readSample("alert-metric-fired.json") as { data: { essentials: Record<string, unknown> } };
        if (value === undefined) delete sample.data.essentials[field];
        else sample.data.essentials[field] = value;
        const result = parseCommonAlert(sample);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.problems.some((p) => p.startsWith(`data.essentials.${field}`))).toBe(true);
      }),
    );
  });

  it("refuses every essential string one character over its documented limit, naming the field, and accepts it at the limit", () => {
    const limits: Record<string, number> = {
      alertId: ALERT_FIELD_LIMITS.alertId,
      alertRule: ALERT_FIELD_LIMITS.alertRule,
      severity: ALERT_FIELD_LIMITS.severity,
      signalType: ALERT_FIELD_LIMITS.signalType,
      monitoringService: ALERT_FIELD_LIMITS.monitoringService,
    };
    for (const [field, limit] of Object.entries(limits)) {
      const at = readSample("alert-metric-fired.json") as { data: { essentials: Record<string, unknown> } };
      at.data.essentials[field] = "a".repeat(limit);
      expect(parseCommonAlert(at).ok).toBe(true);
      at.data.essentials[field] = "a".repeat(limit + 1);
      const over = parseCommonAlert(at);
      expect(over.ok).toBe(false);
      if (!over.ok) expect(over.problems[0]).toMatch(new RegExp(`^data\\.essentials\\.${field}: `));
    }
    const targets = readSample("alert-metric-fired.json") as { data: { essentials: Record<string, unknown> } };
    targets.data.essentials.alertTargetIDs = Array.from({ length: ALERT_FIELD_LIMITS.alertTargetIDs + 1 }, (_, i) => `/subscriptions/x/r${i}`);
    expect(parseCommonAlert(targets)).toMatchObject({ ok: false, problems: [expect.stringMatching(/^data\.essentials\.alertTargetIDs: /)] });
  });

  it("reads Resource Health's cause beside its statuses", () => {
    const parsed = parseCommonAlert(readSample("alert-resourcehealth.json"));
    expect(parsed.ok && parsed.alert.health).toEqual({ current: "Unavailable", previous: "Available", cause: "UserInitiated" });
  });
});
