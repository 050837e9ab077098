import { newRunId, systemRandom, type Random } from "../ports/random.js";
import type { AuditLog } from "../ports/auditLog.js";
import type { IdempotencyStore } from "../ports/idempotency.js";
import type { Logger } from "../ports/logger.js";
import type { RunStore } from "../ports/runStore.js";
import type { Engine } from "./engine.js";
import { requestFingerprint, type FieldProblem, type ManualRunRequest } from "./failoverRequest.js";
import { linkFailoverRun } from "./failoverRunLink.js";
import type { Actor } from "./runControl.js";
import { previewRun, type PreviewReads, type RunPreview } from "./runPreview.js";

/** How long an Idempotency-Key stays bound to its run; after that the same key starts a new one. */
export const IDEMPOTENCY_KEY_LIFETIME_MS = 24 * 3_600_000;

export interface ManualRunDeps extends PreviewReads {
  readonly engine: Engine;
  /** The new run's id tail (default: crypto). */
  readonly random?: Random;
  readonly runs: RunStore;
  readonly idempotency: IdempotencyStore;
  readonly audit: AuditLog;
  readonly log: Logger;
}

export type ManualRunOutcome =
  | { readonly kind: "preview"; readonly preview: RunPreview }
  | { readonly kind: "started"; readonly runId: string; readonly repeated: boolean }
  | {
      readonly kind: "refused";
      readonly status: 400 | 409 | 422;
      readonly title: string;
      readonly detail: string;
      readonly extra?: Readonly<Record<string, unknown>>;
    };

/**
 * Starts (or previews) a run a person asked for. A dry run reads and answers the preview. A real
 * one is checked the same way first (recovery points exist for every VM, failback is possible),
 * then bound to its Idempotency-Key, then started; a second run while one is active is refused
 * with the active run's id.
 */
export async function startManualRun(
  deps: ManualRunDeps,
  input: { readonly value: ManualRunRequest; readonly actor: Actor; readonly idempotencyKey?: string },
): Promise<ManualRunOutcome> {
  const { actor } = input;
  // A round trip's later runs name the failover they undo (the latest succeeded one unless the caller chose).
  const link = await linkFailoverRun(deps.runs, deps.estate, input.value.request);
  if (!link.ok) {
    const action = `${input.value.dryRun ? "preview" : "start"} ${input.value.request.mode} run`;
    await deps.audit.append({ at: deps.clock.now().toISOString(), who: actor.name, action, result: `refused ${link.status}`, detail: link.detail });
    return {
      kind: "refused",
      status: link.status,
      title: link.title,
      detail: link.detail,
      extra: { field: link.field, problems: [{ field: link.field, message: link.detail }] },
    };
  }
  const value: ManualRunRequest = { ...input.value, request: link.request };
  const { request } = value;
  const audit = (result: string, detail: string, runId?: string) =>
    deps.audit.append({
      at: deps.clock.now().toISOString(),
      who: actor.name,
      action: `${value.dryRun ? "preview" : "start"} ${request.mode} run`,
      result,
      detail,
      ...(runId ? { runId } : {}),
    });

  if (value.dryRun) {
    const preview = await previewRun(deps, request);
    await audit("previewed", `${preview.steps.length} steps, ${preview.problems.length} problem(s); ${value.reason}`);
    return { kind: "preview", preview };
  }

  let runId = newRunId(deps.clock.now(), deps.random ?? systemRandom);
  let key: string | undefined;
  if (input.idempotencyKey !== undefined) {
    key = `${actor.id}:${input.idempotencyKey}`;
    const fingerprint = requestFingerprint(value);
    const now = deps.clock.now();
    const claim = await deps.idempotency.claim(
      { key, fingerprint, runId, createdAt: now.toISOString() },
      new Date(now.getTime() - IDEMPOTENCY_KEY_LIFETIME_MS),
    );
    if (!claim.created) {
      if (claim.record.fingerprint !== fingerprint) {
        await audit("refused 422", `Idempotency-Key reused with another request (first used for ${claim.record.runId})`, claim.record.runId);
        return {
          kind: "refused",
          status: 422,
          title: "Idempotency-Key reused",
          detail: `this Idempotency-Key was first used with another request (run ${claim.record.runId}); use a new key for a new request`,
          extra: { runId: claim.record.runId },
        };
      }
      runId = claim.record.runId;
      // The same request again: answer its run; if the first attempt died before creating it, start it now.
      const existing = (await deps.runs.getRun(runId))?.value;
      if (existing) {
        // The first attempt may have died after writing the run, before queuing its first steps: the engine's start resumes it (same message ids).
        if (existing.status === "running") await deps.engine.startRun(request, trigger(actor, value), runId, { requestedBy: actor.id });
        await audit("repeated", `Idempotency-Key ${input.idempotencyKey}: same request, same run`, runId);
        return { kind: "started", runId, repeated: true };
      }
    }
  }

  const preview = await previewRun(deps, request);
  const blocking = preview.problems;
  if (blocking.length > 0) {
    if (key) await deps.idempotency.release(key, runId);
    const field = blocking[0]?.field ?? "recoveryPoint";
    const detail = blocking.map((p) => p.message).join("; ");
    await audit(`refused ${field === "recoveryPoint" ? 400 : 409}`, detail);
    return field !== "recoveryPoint"
      ? {
          kind: "refused",
          status: 409,
          title: field === "failback" ? "Failback not possible now" : "Failback preparation not possible now",
          detail,
          extra: { problems: blocking },
        }
      : {
          kind: "refused",
          status: 400,
          title: "Invalid request",
          detail,
          extra: { problems: blocking.map((p): FieldProblem => ({ field: p.field, message: p.message })) },
        };
  }

  const started = await deps.engine.startRun(request, trigger(actor, value), runId, { requestedBy: actor.id });
  if (!started.started) {
    if (key) await deps.idempotency.release(key, runId);
    await audit("refused 409", `run ${started.activeRunId} is active`, started.activeRunId);
    return {
      kind: "refused",
      status: 409,
      title: "Another run is active",
      detail: `run ${started.activeRunId} is active for this estate: follow it, or cancel it first`,
      extra: { activeRunId: started.activeRunId },
    };
  }
  await audit("started", value.reason, runId);
  deps.log.info("manual run started", { runId, mode: request.mode, by: actor.name });
  return { kind: "started", runId, repeated: false };
}

function trigger(actor: Actor, value: ManualRunRequest): string {
  return `manual by ${actor.name}: ${value.reason}`;
}
