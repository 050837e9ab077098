import type { RecoveryPointChoice } from "./estate.js";

export interface RecoveryPointCandidate {
  readonly id: string;
  readonly time: Date;
  readonly type: string;
}

export type RecoveryPointDecision =
  | { readonly ok: true; readonly point: RecoveryPointCandidate }
  | { readonly ok: false; readonly reason: string };

/** Picks the recovery point a failover uses. Pure: `now` and the retention come in. */
export function chooseRecoveryPoint(
  points: readonly RecoveryPointCandidate[],
  choice: RecoveryPointChoice,
  now: Date,
  retentionDays: number,
): RecoveryPointDecision {
  const newestFirst = [...points].sort((a, b) => b.time.getTime() - a.time.getTime());
  if (choice === "latest") {
    const point = newestFirst[0];
    return point ? { ok: true, point } : { ok: false, reason: "no recovery point exists" };
  }
  if (choice === "latestAppConsistent") {
    const point = newestFirst.find((p) => p.type === "AppConsistent");
    return point ? { ok: true, point } : { ok: false, reason: "no app-consistent recovery point exists" };
  }
  const at = new Date(choice.at);
  const oldestAllowed = new Date(now.getTime() - retentionDays * 86_400_000);
  if (at > now) return { ok: false, reason: `recovery point time ${choice.at} is in the future` };
  if (at < oldestAllowed) return { ok: false, reason: `recovery point time ${choice.at} is outside the ${retentionDays}-day retention` };
  const point = newestFirst.find((p) => p.time <= at);
  return point ? { ok: true, point } : { ok: false, reason: `no recovery point at or before ${choice.at}` };
}
