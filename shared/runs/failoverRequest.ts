import { createHash } from "node:crypto";
import { z } from "zod";
import { RecoveryPointChoice, type Estate } from "../domain/estate.js";
import type { FailoverRequest, RunMode, Scope } from "../domain/plan.js";
import { PlanError, planFailover } from "../domain/planFailover.js";
import { neutraliseControls } from "../text/safeText.js";

/** One thing wrong with a request, named by its field (JSON path) so a person can fix it. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** A manual run request as the API accepts it, turned into the planner's request. */
export interface ManualRunRequest {
  readonly request: FailoverRequest;
  readonly reason: string;
  readonly dryRun: boolean;
}

const MAX_CLEANUP_MINUTES = 7 * 24 * 60;
/** Limits of a request's text and lists (docs/http-api.md, "Limits"). */
export const MAX_REASON_LENGTH = 500;
export const MAX_SCOPE_NAMES = 100;
export const MAX_NAME_LENGTH = 80;
/** What a refusal keeps of caller-supplied text (audit details, echoed names). */
export const MAX_AUDIT_TEXT_LENGTH = 1000;
const MAX_ECHO_LENGTH = 80;

/** Why a person acts: required on starts, cancels and the kill switch. */
export const Reason = z
  .string()
  .trim()
  .min(3, "say why, in a few words (at least 3 characters)")
  .max(MAX_REASON_LENGTH, `at most ${MAX_REASON_LENGTH} characters`);

/** A run id as the engine makes them (letters, digits, '-', '_', '.'), within a Table Storage key. */
const RunIdText = z
  .string()
  .min(1)
  .max(MAX_NAME_LENGTH)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "a run id (letters, digits, '.', '_' or '-')");

const Body = z.strictObject({
  mode: z.enum(["unplanned", "test", "failback-prep", "failback"]),
  scope: z.unknown().optional(),
  recoveryPoint: RecoveryPointChoice.optional(),
  reason: Reason,
  dryRun: z.boolean().default(false),
  /** manual (default): commit / cleanup wait for POST .../commit | .../cleanup; automatic: right after the last tier. */
  finish: z.enum(["manual", "automatic"]).default("manual"),
  cleanupAfterMinutes: z.number().int().min(1).max(MAX_CLEANUP_MINUTES).optional(),
  /** failback-prep and failback: the unplanned run the round trip undoes (absent: the latest succeeded one, looked up by the API). */
  failoverRunId: RunIdText.optional(),
  /** failback only: the kind of point the on-premises VMs start from (default ApplicationConsistent). */
  failbackPoint: z.enum(["ApplicationConsistent", "CrashConsistent"]).optional(),
});

/**
 * Validates a POST /api/failover body against the estate (pure: `now` comes in): the shape, the
 * scope's tiers and VMs, a recovery-point time inside the retention, and options that fit the
 * mode. Unplanned failovers and failback preparation started by a person wait for an approver.
 */
export function parseManualRunRequest(
  body: unknown,
  estate: Estate,
  now: Date,
): { ok: true; value: ManualRunRequest } | { ok: false; problems: readonly FieldProblem[] } {
  const parsed = Body.safeParse(body);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.slice(0, 10).map((i) => issueProblem(i)) };
  }
  const b = parsed.data;
  const problems: FieldProblem[] = [];
  const scope = parseScope(b.scope, problems);
  if (b.mode === "failback-prep" && b.recoveryPoint !== undefined)
    problems.push({ field: "recoveryPoint", message: "failback preparation uses no recovery point" });
  if (b.mode === "failback" && b.recoveryPoint !== undefined)
    problems.push({ field: "recoveryPoint", message: "a failback takes failbackPoint ('ApplicationConsistent' or 'CrashConsistent'), not a recovery point" });
  if (b.failbackPoint !== undefined && b.mode !== "failback") problems.push({ field: "failbackPoint", message: "only for a failback" });
  if (b.failoverRunId !== undefined && b.mode !== "failback" && b.mode !== "failback-prep")
    problems.push({ field: "failoverRunId", message: "only for failback-prep and failback (the failover run they undo)" });
  if (b.cleanupAfterMinutes !== undefined && (b.mode !== "test" || b.finish !== "manual")) {
    problems.push({ field: "cleanupAfterMinutes", message: "only for a test failover with finish 'manual'" });
  }
  if (b.recoveryPoint !== undefined && typeof b.recoveryPoint === "object") {
    const at = Date.parse(b.recoveryPoint.at);
    const oldest = now.getTime() - estate.objectives.retentionDays * 86_400_000;
    if (at > now.getTime()) problems.push({ field: "recoveryPoint.at", message: `${b.recoveryPoint.at} is in the future` });
    else if (at < oldest)
      problems.push({
        field: "recoveryPoint.at",
        message: `${b.recoveryPoint.at} is outside the ${estate.objectives.retentionDays}-day retention (oldest kept: ${new Date(oldest).toISOString()})`,
      });
  }
  if (problems.length > 0 || !scope) return { ok: false, problems };
  const request: FailoverRequest = {
    mode: b.mode,
    scope,
    ...(b.recoveryPoint !== undefined ? { recoveryPoint: b.recoveryPoint } : {}),
    ...(needsApproval(b.mode) ? { approvalRequired: true } : {}),
    ...(b.mode !== "failback-prep" && b.mode !== "failback" && b.finish === "manual" ? { manualFinish: true } : {}),
    ...(b.cleanupAfterMinutes !== undefined ? { cleanupAfterMinutes: b.cleanupAfterMinutes } : {}),
    ...(b.failoverRunId !== undefined ? { failoverRunId: b.failoverRunId } : {}),
    ...(b.failbackPoint !== undefined ? { failbackPoint: b.failbackPoint } : {}),
  };
  try {
    // A failback without failoverRunId is linked to the latest succeeded failover by the API (failoverRunLink.ts) after this check.
    planFailover(estate, request.mode === "failback" && request.failoverRunId === undefined ? { ...request, failoverRunId: "latest" } : request);
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    const [field, ...rest] = error.message.split(": ");
    return { ok: false, problems: [{ field: field ?? "(body)", message: boundedText(rest.join(": ") || error.message, 300) }] };
  }
  return { ok: true, value: { request, reason: b.reason, dryRun: b.dryRun } };
}

/** A person's unplanned failover or failback changes production: a second person approves it. */
export function needsApproval(mode: RunMode): boolean {
  return mode === "unplanned" || mode === "failback-prep" || mode === "failback";
}

/** "all" | { "tiers": [...] } | { "vms": [...] } (absent: all), at most MAX_SCOPE_NAMES names of MAX_NAME_LENGTH characters. */
function parseScope(value: unknown, problems: FieldProblem[]): Scope | undefined {
  if (value === undefined || value === "all") return { kind: "all" };
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value);
    const [key, list] = entries[0] ?? [];
    if (entries.length === 1 && (key === "tiers" || key === "vms") && Array.isArray(list)) {
      const field = `scope.${key}`;
      if (list.length === 0) problems.push({ field, message: "at least one name is needed" });
      else if (list.length > MAX_SCOPE_NAMES) problems.push({ field, message: `at most ${MAX_SCOPE_NAMES} names` });
      else {
        const bad = list.findIndex((v) => typeof v !== "string" || v.length === 0 || v.length > MAX_NAME_LENGTH);
        if (bad < 0) return key === "tiers" ? { kind: "tiers", tiers: list as string[] } : { kind: "vms", vms: list as string[] };
        problems.push({ field: `${field}.${bad}`, message: `a name of 1 to ${MAX_NAME_LENGTH} characters` });
      }
      return undefined;
    }
  }
  problems.push({ field: "scope", message: `"all", {"tiers": ["<tier>", ...]} or {"vms": ["<vm>", ...]}` });
  return undefined;
}

/** One schema issue as a field problem, with caller-supplied key names bounded. */
export function issueProblem(issue: z.core.$ZodIssue, fallbackField = "(body)"): FieldProblem {
  const path = issue.path.map((p) => echoed(String(p)));
  if (issue.code === "unrecognized_keys") {
    const shown = issue.keys
      .slice(0, 3)
      .map((k) => `'${echoed(k)}'`)
      .join(", ");
    const more = issue.keys.length > 3 ? ` and ${issue.keys.length - 3} more` : "";
    // An empty key still needs a visible name.
    return { field: [...path, echoed(issue.keys[0] ?? "") || '""'].join("."), message: `unknown field ${shown}${more}` };
  }
  return { field: path.length > 0 ? path.join(".") : fallbackField, message: boundedText(issue.message, 300) };
}

/** Caller text made safe to store and show: control characters and escape sequences replaced (neutraliseControls), length capped. */
export function boundedText(text: string, max = MAX_AUDIT_TEXT_LENGTH): string {
  const clean = neutraliseControls(text);
  if (clean.length <= max) return clean;
  // Never cut a surrogate pair in two: half a character is not valid text.
  const end = /[\ud800-\udbff]/.test(clean.charAt(max - 1)) ? max - 1 : max;
  return `${clean.slice(0, end)}… (${clean.length - end} more characters)`;
}

/** A caller-supplied name as a refusal echoes it. */
export function echoed(name: string): string {
  return boundedText(name, MAX_ECHO_LENGTH);
}

/** Stable hash of what a request asks for: an Idempotency-Key reused with another request is refused. */
export function requestFingerprint(value: ManualRunRequest): string {
  const { request, reason } = value;
  const canonical = JSON.stringify([
    request.mode,
    request.scope,
    request.recoveryPoint ?? null,
    request.approvalRequired ?? false,
    request.manualFinish ?? false,
    request.cleanupAfterMinutes ?? null,
    reason,
    // Only when set, so the fingerprints of requests without them stay what they were.
    ...(request.failoverRunId !== undefined || request.failbackPoint !== undefined ? [request.failoverRunId ?? null, request.failbackPoint ?? null] : []),
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}
