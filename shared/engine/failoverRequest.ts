import { createHash } from "node:crypto";
import { z } from "zod";
import { RecoveryPointChoice, type Estate } from "../domain/estate.js";
import type { FailoverRequest, RunMode, Scope } from "../domain/plan.js";
import { PlanError, planFailover } from "../domain/planFailover.js";

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

const Body = z.strictObject({
  mode: z.enum(["unplanned", "test", "failback-prep"]),
  scope: z.unknown().optional(),
  recoveryPoint: RecoveryPointChoice.optional(),
  reason: z.string().trim().min(3, "say why, in a few words (at least 3 characters)").max(500),
  dryRun: z.boolean().default(false),
  /** manual (default): commit / cleanup wait for POST .../commit | .../cleanup; automatic: right after the last tier. */
  finish: z.enum(["manual", "automatic"]).default("manual"),
  cleanupAfterMinutes: z.number().int().min(1).max(MAX_CLEANUP_MINUTES).optional(),
});

/**
 * Validates a POST /api/failover body against the estate (pure: `now` comes in): the shape, the
 * scope's tiers and VMs, a recovery-point time inside the retention, and options that fit the
 * mode. Unplanned failovers and failback preparation started by a person wait for an approver.
 */
export function parseManualRunRequest(body: unknown, estate: Estate, now: Date): { ok: true; value: ManualRunRequest } | { ok: false; problems: readonly FieldProblem[] } {
  const parsed = Body.safeParse(body);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => ({ field: i.path.length > 0 ? i.path.map(String).join(".") : "(body)", message: i.message })) };
  }
  const b = parsed.data;
  const problems: FieldProblem[] = [];
  const scope = parseScope(b.scope, problems);
  if (b.mode === "failback-prep" && b.recoveryPoint !== undefined) problems.push({ field: "recoveryPoint", message: "failback preparation uses no recovery point" });
  if (b.cleanupAfterMinutes !== undefined && (b.mode !== "test" || b.finish !== "manual")) {
    problems.push({ field: "cleanupAfterMinutes", message: "only for a test failover with finish 'manual'" });
  }
  if (b.recoveryPoint !== undefined && typeof b.recoveryPoint === "object") {
    const at = Date.parse(b.recoveryPoint.at);
    const oldest = now.getTime() - estate.objectives.retentionDays * 86_400_000;
    if (at > now.getTime()) problems.push({ field: "recoveryPoint.at", message: `${b.recoveryPoint.at} is in the future` });
    else if (at < oldest) problems.push({ field: "recoveryPoint.at", message: `${b.recoveryPoint.at} is outside the ${estate.objectives.retentionDays}-day retention (oldest kept: ${new Date(oldest).toISOString()})` });
  }
  if (problems.length > 0 || !scope) return { ok: false, problems };
  const request: FailoverRequest = {
    mode: b.mode,
    scope,
    ...(b.recoveryPoint !== undefined ? { recoveryPoint: b.recoveryPoint } : {}),
    ...(needsApproval(b.mode) ? { approvalRequired: true } : {}),
    ...(b.mode !== "failback-prep" && b.finish === "manual" ? { manualFinish: true } : {}),
    ...(b.cleanupAfterMinutes !== undefined ? { cleanupAfterMinutes: b.cleanupAfterMinutes } : {}),
  };
  try {
    planFailover(estate, request);
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    const [field, ...rest] = error.message.split(": ");
    return { ok: false, problems: [{ field: field ?? "(body)", message: rest.join(": ") || error.message }] };
  }
  return { ok: true, value: { request, reason: b.reason, dryRun: b.dryRun } };
}

/** A person's unplanned failover or failback changes production: a second person approves it. */
export function needsApproval(mode: RunMode): boolean {
  return mode === "unplanned" || mode === "failback-prep";
}

/** "all" | { "tiers": [...] } | { "vms": [...] } (absent: all). */
function parseScope(value: unknown, problems: FieldProblem[]): Scope | undefined {
  if (value === undefined || value === "all") return { kind: "all" };
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value);
    const [key, list] = entries[0] ?? [];
    if (entries.length === 1 && (key === "tiers" || key === "vms") && Array.isArray(list) && list.every((v): v is string => typeof v === "string" && v.length > 0)) {
      if (list.length === 0) {
        problems.push({ field: `scope.${key}`, message: "at least one name is needed" });
        return undefined;
      }
      return key === "tiers" ? { kind: "tiers", tiers: list } : { kind: "vms", vms: list };
    }
  }
  problems.push({ field: "scope", message: `"all", {"tiers": ["<tier>", ...]} or {"vms": ["<vm>", ...]}` });
  return undefined;
}

/** Stable hash of what a request asks for: an Idempotency-Key reused with another request is refused. */
export function requestFingerprint(value: ManualRunRequest): string {
  const { request, reason } = value;
  const canonical = JSON.stringify([request.mode, request.scope, request.recoveryPoint ?? null, request.approvalRequired ?? false, request.manualFinish ?? false, request.cleanupAfterMinutes ?? null, reason]);
  return createHash("sha256").update(canonical).digest("hex");
}
