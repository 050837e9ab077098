import type { HealthCheck, HealthReport } from "../../shared/domain/health/healthReport.js";
import type { RoundTripReport } from "../../shared/reports/roundTripReport.js";
import type { RunReport } from "../../shared/reports/runReport.js";

/**
 * Text an attacker could place in a VM name, an ASR error, a guest's Run Command output or a
 * trigger: a script, an attribute break-out with an event handler, tagged with the field it sits in.
 */
export function hostile(field: string): string {
  return `<script>alert("${field}")</script>"><img src=x onerror=alert('${field}')>`;
}

/** A link that must never become an anchor. */
export const SCRIPT_LINK = "javascript:alert('reference')";
/** An http(s) link whose query tries to break out of the href. */
export const HOSTILE_HTTPS_LINK = `https://learn.microsoft.com/azure/site-recovery/?q="><img src=x onerror=alert('href')>`;

/** What the page's source must hold for `text` to read as text: the five characters escaped. */
export function escaped(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

const START = "2026-03-07T03:00:00.000Z";
const at = (minutes: number): string => new Date(Date.parse(START) + minutes * 60_000).toISOString();

/** Run report fields that are free text, each holding its own hostile payload. */
export const RUN_FIELDS = [
  "estate", "runId", "trigger", "failureReason", "step.id", "step.target", "step.tier", "step.detail", "step.finishedAt",
  "dns.record", "dns.from", "dns.to", "note", "history.runId", "history.trigger", "history.startedAt",
  "route.route", "route.table", "route.from", "route.to", "after.summary", "after.vm", "after.next", "detectedAt",
] as const;

export function hostileRunReport(): RunReport {
  const h = (field: (typeof RUN_FIELDS)[number]): string => hostile(field);
  return {
    runId: h("runId"),
    estate: h("estate"),
    mode: "test",
    trigger: h("trigger"),
    startedAt: START,
    finishedAt: at(30),
    outcome: "failed",
    failureReason: h("failureReason"),
    rtoSeconds: 1800,
    detectedAt: h("detectedAt"),
    rtoFromDetectionSeconds: 2000,
    rtoTargetAppliesTo: "detection",
    recovered: false,
    rtoTargetSeconds: 3600,
    dataLossWindowSeconds: 300,
    rpoTargetSeconds: 1800,
    dnsChanges: [{ record: h("dns.record"), zoneType: "private", from: [h("dns.from")], to: [h("dns.to")] }],
    routeChanges: [{ route: h("route.route"), routeTable: h("route.table"), from: h("route.from"), to: h("route.to") }],
    tiers: ["web"],
    estateAfter: {
      summary: h("after.summary"),
      failedOverNotCommitted: [],
      committed: [],
      testVmsLeft: [h("after.vm")],
      testVmCleanup: null,
      reprotected: [],
      dnsMoved: [],
      routesMoved: [],
      nextSteps: [h("after.next")],
    },
    notes: [h("note")],
    steps: [
      { id: h("step.id"), kind: "failover", target: h("step.target"), tier: h("step.tier"), status: "failed", startedAt: at(1), finishedAt: at(20), attempts: 2, detail: h("step.detail") },
      { id: "fo-web01", kind: "failover", target: "WEB01", tier: "web", status: "succeeded", startedAt: at(2), finishedAt: h("step.finishedAt"), attempts: 1, detail: null },
    ],
    history: [
      { runId: h("history.runId"), mode: "test", trigger: h("history.trigger"), startedAt: h("history.startedAt"), outcome: "succeeded", rtoSeconds: 1500, rtoTargetSeconds: 3600, dataLossWindowSeconds: null, rpoTargetSeconds: 1800 },
    ],
  };
}

/** Health report fields that are free text and shown on the page, each holding its own payload. */
export const HEALTH_FIELDS = [
  "estate", "reportId", "trigger", "startedAt", "finishedAt", "summary", "vm", "vm.tier", "vm.vault",
  "check.title", "check.reason", "estateCheck.title", "estateCheck.reason", "advice.title", "advice.step", "advice.errorCode", "advice.verbatim", "threshold",
] as const;

export function hostileHealthReport(): HealthReport {
  const h = (field: (typeof HEALTH_FIELDS)[number]): string => hostile(field);
  const vmCheck: HealthCheck = {
    id: `vm/${h("vm")}/rpo`,
    kind: "rpo",
    subject: h("vm"),
    title: h("check.title"),
    status: "red",
    reason: h("check.reason"),
    advice: [
      { id: "unknown-asr-error", title: h("advice.title"), steps: [h("advice.step")], reference: SCRIPT_LINK, errorCode: h("advice.errorCode"), verbatim: h("advice.verbatim") },
      { id: "asr-rpo", title: "Replication is behind", steps: ["Check the network"], reference: HOSTILE_HTTPS_LINK },
    ],
  };
  const estateCheck: HealthCheck = { id: "estate/dns", kind: "dns", subject: "dns", title: h("estateCheck.title"), status: "green", reason: h("estateCheck.reason"), advice: [] };
  return {
    reportId: h("reportId"),
    estate: h("estate"),
    trigger: h("trigger"),
    isPastDue: false,
    startedAt: h("startedAt"),
    finishedAt: h("finishedAt"),
    overall: "red",
    counts: { green: 1, amber: 0, red: 1, unknown: 0 },
    summary: h("summary"),
    vms: [{ vm: h("vm"), tier: h("vm.tier"), vault: h("vm.vault"), status: "red", checks: [vmCheck] }],
    estateChecks: [estateCheck],
    thresholds: { [h("threshold")]: 30 },
  };
}

/** Round-trip report fields that are free text, each holding its own hostile payload. */
export const ROUND_TRIP_FIELDS = [
  "estate", "roundTripId", "summary", "next", "phase.runId", "phase.failureReason", "tier", "vm", "vm.tier",
  "dns.record", "dns.onPremises", "dns.recovery", "dns.detail", "route.route", "route.table", "route.onPremises", "route.recovery", "route.detail",
] as const;

export function hostileRoundTripReport(): RoundTripReport {
  const h = (field: (typeof ROUND_TRIP_FIELDS)[number]): string => hostile(field);
  const phase = {
    runId: h("phase.runId"), mode: "failback", trigger: "manual", outcome: "failed", failureReason: h("phase.failureReason"), startedAt: at(120),
    finishedAt: at(150), startOffsetSeconds: 7200, durationSeconds: 1800, approvedBy: "anna", stepsSucceeded: 3, steps: 9,
  } as const;
  return {
    roundTripId: h("roundTripId"), estate: h("estate"), status: "stopped", summary: h("summary"), startedAt: START, finishedAt: at(150), durationSeconds: 9000,
    phases: [{ ...phase, phase: "failover", mode: "unplanned", outcome: "succeeded", failureReason: null, startedAt: START, finishedAt: at(40), startOffsetSeconds: 0, durationSeconds: 2400 }, { ...phase, phase: "failback" }],
    failover: { runId: "run-1", rtoSeconds: 2400, rtoFromDetectionSeconds: 2400, rtoTargetSeconds: 3600, rtoMet: true, dataLossWindowSeconds: 120, rpoTargetSeconds: 1800 },
    replicationBack: null,
    failback: { runId: h("phase.runId"), approvedBy: null, downtimeStartedAt: at(125), downtimeEndedAt: null, downtimeSeconds: null, tiers: [{ tier: h("tier"), downtimeSeconds: null }] },
    tiers: [h("tier")],
    tierSpans: [{ phase: "failover", runId: "run-1", tier: h("tier"), startedAt: at(1), finishedAt: at(30) }],
    vms: [{ vm: h("vm"), tier: h("vm.tier"), failedOverAt: at(10), committedAt: null, reprotectedToOnPremisesAt: null, replicationBackHealthyAt: null, failedBackAt: null, failbackCommittedAt: null, reprotectedToAzureAt: null }],
    dnsChanges: [{ record: h("dns.record"), zoneType: "public", onPremises: [h("dns.onPremises")], recovery: [h("dns.recovery")], movedAt: at(20), restore: "notRestored", restoredAt: null, detail: h("dns.detail") }],
    routeChanges: [{ route: h("route.route"), routeTable: h("route.table"), onPremises: h("route.onPremises"), recovery: h("route.recovery"), movedAt: at(20), restore: "notRestored", restoredAt: null, detail: h("route.detail") }],
    steps: [],
    nextSteps: [h("next")],
  };
}
