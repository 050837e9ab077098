import type { StepRecord } from "../ports/runStore.js";

export interface Downtime {
  /** The first planned failover back started: the Azure VMs are being shut down. */
  readonly from: string | null;
  /** The last tier was ready on premises, its names and routes set back (null until every tier is). */
  readonly to: string | null;
  readonly seconds: number | null;
}

const latest = (values: readonly (string | undefined)[]): string | null =>
  values.reduce<string | null>((best, v) => (v !== undefined && (best === null || v > best) ? v : best), null);
const earliest = (values: readonly (string | undefined)[]): string | null =>
  values.reduce<string | null>((best, v) => (v !== undefined && (best === null || v < best) ? v : best), null);

/**
 * A failback's downtime over some of its steps (the whole run, or one tier): from the first planned
 * failover back's start until the tiers' readiness, once every tier among them is ready. The commit and
 * the reprotect towards Azure after it are not downtime: the applications already run on premises.
 */
export function failbackDowntime(steps: readonly StepRecord[]): Downtime {
  const from = earliest(steps.filter((s) => s.step.kind === "plannedFailback").map((s) => s.startedAt));
  const ready = steps.filter((s) => s.step.kind === "tierReady");
  const to = ready.length > 0 && ready.every((s) => s.status === "succeeded") ? latest(ready.map((s) => s.finishedAt)) : null;
  return { from, to, seconds: from !== null && to !== null ? Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000)) : null };
}
