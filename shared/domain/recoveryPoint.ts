import type { RecoveryPointChoice } from "./estate.js";

export interface RecoveryPointCandidate {
  readonly id: string;
  readonly time: Date;
  readonly type: string;
}

/**
 * ASR spells an app-consistent point's recoveryPointType 'ApplicationConsistent' in the REST spec's
 * enum and 'AppConsistent' in InMage responses; both mean the same, and only this function decides.
 */
export function isAppConsistent(type: string): boolean {
  const t = type.toLowerCase();
  return t === "appconsistent" || t === "applicationconsistent";
}

/**
 * How a failover chooses its point (ASR's own options, learn.microsoft.com/azure/site-recovery/site-recovery-failover):
 * - `latest`: ASR's "Latest (lowest RPO)": no recoveryPointId is sent (the SDK: "In case of latest
 *   recovery point, null should be passed"); ASR first processes all the data it has received, so the
 *   failover keeps the most data and takes a little longer. The default for a site loss.
 * - `latestProcessed`: ASR's "Latest processed (lowest RTO)": the newest point already listed.
 * - `latestAppConsistent`: the newest app-consistent point.
 * - `{ at }`: the newest point at or before a time within retention.
 */
export type RecoveryPointDecision =
  | {
      readonly ok: true;
      /** The point sent to ASR; absent for `latest`, where ASR makes the point when it fails over. */
      readonly point?: RecoveryPointCandidate;
      /** Newest data the failover keeps (an estimate for `latest`: the last data ASR had received). */
      readonly dataAsOf: Date;
      /** The choice in words, for the preview, the drill and the report. */
      readonly explanation: string;
    }
  | { readonly ok: false; readonly reason: string };

/** Picks the recovery point a failover uses. Pure: `now`, the retention and what ASR last received come in. */
export function chooseRecoveryPoint(
  points: readonly RecoveryPointCandidate[],
  choice: RecoveryPointChoice,
  now: Date,
  retentionDays: number,
  lastDataReceived?: Date,
): RecoveryPointDecision {
  const newestFirst = [...points].sort((a, b) => b.time.getTime() - a.time.getTime());
  const chosen = (point: RecoveryPointCandidate, explanation: string): RecoveryPointDecision => ({ ok: true, point, dataAsOf: point.time, explanation });
  if (choice === "latest") {
    const dataAsOf = lastDataReceived ?? newestFirst[0]?.time;
    if (!dataAsOf) return { ok: false, reason: "ASR has received no replication data and lists no recovery point" };
    return {
      ok: true,
      dataAsOf,
      explanation: `latest (lowest RPO): ASR processes all data it received, up to ${dataAsOf.toISOString()}, before failing over`,
    };
  }
  if (choice === "latestProcessed") {
    const point = newestFirst[0];
    return point
      ? chosen(point, `latest processed (lowest RTO): the newest listed point, ${point.time.toISOString()}`)
      : { ok: false, reason: "no recovery point exists" };
  }
  if (choice === "latestAppConsistent") {
    const point = newestFirst.find((p) => isAppConsistent(p.type));
    return point ? chosen(point, `latest app-consistent point, ${point.time.toISOString()}`) : { ok: false, reason: "no app-consistent recovery point exists" };
  }
  const at = new Date(choice.at);
  const oldestAllowed = new Date(now.getTime() - retentionDays * 86_400_000);
  if (at > now) return { ok: false, reason: `recovery point time ${choice.at} is in the future` };
  if (at < oldestAllowed) return { ok: false, reason: `recovery point time ${choice.at} is outside the ${retentionDays}-day retention` };
  const point = newestFirst.find((p) => p.time <= at);
  return point
    ? chosen(point, `the newest point at or before ${choice.at}: ${point.time.toISOString()}`)
    : { ok: false, reason: `no recovery point at or before ${choice.at}` };
}

/** A recovery-point choice in words: what ASR does with it and why one would pick it. */
export function describeRecoveryPointChoice(choice: RecoveryPointChoice): string {
  if (choice === "latest")
    return "ASR's Latest (lowest RPO): no point is sent, ASR first processes all data it received, so the most data is kept at the cost of a few minutes of RTO (the default for a site loss)";
  if (choice === "latestProcessed")
    return "ASR's Latest processed (lowest RTO): the newest point already processed, so the failover starts at once and gives up the data received since";
  if (choice === "latestAppConsistent") return "the newest app-consistent point: application-consistent data, up to the app-consistent frequency older";
  return `the newest point at or before ${choice.at}, chosen by a person`;
}

/**
 * VMs of one multi-VM consistency group stay consistent with each other only on a common multi-VM
 * sync point (InMageRcm's isMultiVmSyncPoint, at the same time on every VM of the group). Item-level
 * failovers choose per VM, so the preview says which common point exists, if any.
 */
export function commonMultiVmPoint(pointsByVm: ReadonlyMap<string, readonly { readonly time: Date; readonly multiVmSyncPoint?: boolean }[]>): Date | undefined {
  const lists = [...pointsByVm.values()].map((points) => new Set(points.filter((p) => p.multiVmSyncPoint === true).map((p) => p.time.getTime())));
  const [first, ...rest] = lists;
  if (!first) return undefined;
  const common = [...first].filter((t) => rest.every((set) => set.has(t)));
  return common.length > 0 ? new Date(Math.max(...common)) : undefined;
}
