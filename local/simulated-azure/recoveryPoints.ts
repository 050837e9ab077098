import type { Estate } from "../../shared/domain/estate.js";
import { uuidFrom } from "./ids.js";
import type { ProtectedItem } from "./world.js";

export interface SimRecoveryPoint {
  readonly id: string;
  readonly name: string;
  readonly time: Date;
  readonly type: "CrashConsistent" | "AppConsistent";
}

const CRASH_STEP_MS = 5 * 60_000;
const CRASH_WINDOW_MS = 2 * 3_600_000;
/**
 * How far the newest data ASR holds trails the VM: recorded InMageRcm items show lastRpoInSeconds of
 * 199-346 s (lastRecoveryPointReceived a few minutes before lastRpoCalculatedTime). Listed points are
 * processed from that data, so none is newer than it.
 */
const REPLICATION_LAG_MS = 4 * 60_000;

/** InMageRcm's lastRecoveryPointReceived at `now`: what a failover to ASR's latest point keeps. */
export function lastDataReceivedOf(item: ProtectedItem, now: Date): Date {
  return new Date((item.replicationFrozenAt ?? now).getTime() - REPLICATION_LAG_MS);
}

/**
 * The item's recovery points at `now`: crash-consistent every 5 min for the last 2 h, app-consistent at the
 * estate's frequency across its retention. Points sit on wall-clock boundaries and their ids derive from
 * item and time, so they are computed on demand yet stable: replication keeps producing points as the
 * simulated clock moves, and stops when an unplanned failover starts. Oldest first, like the sample.
 */
export function recoveryPointsOf(item: ProtectedItem, estate: Estate, now: Date): SimRecoveryPoint[] {
  const asOf = lastDataReceivedOf(item, now).getTime();
  const byTime = new Map<number, SimRecoveryPoint["type"]>();
  for (let t = floorTo(asOf, CRASH_STEP_MS); t > asOf - CRASH_WINDOW_MS; t -= CRASH_STEP_MS) byTime.set(t, "CrashConsistent");
  const appStep = appStepOf(estate);
  const retentionMs = estate.objectives.retentionDays * 86_400_000;
  for (let t = floorTo(asOf, appStep); t > asOf - retentionMs; t -= appStep) byTime.set(t, "AppConsistent");
  return [...byTime.entries()].sort(([a], [b]) => a - b).map(([t, type]) => pointAt(item, t, type));
}

/** The newest point, without listing them all (the item GET reports it on every read). */
export function latestRecoveryPointOf(item: ProtectedItem, estate: Estate, now: Date): SimRecoveryPoint {
  const asOf = lastDataReceivedOf(item, now).getTime();
  const crash = floorTo(asOf, CRASH_STEP_MS);
  const app = floorTo(asOf, appStepOf(estate));
  return app >= crash ? pointAt(item, app, "AppConsistent") : pointAt(item, crash, "CrashConsistent");
}

function pointAt(item: ProtectedItem, t: number, type: SimRecoveryPoint["type"]): SimRecoveryPoint {
  const name = uuidFrom(`${item.id.toLowerCase()}@${t}`);
  return { id: `${item.id}/recoveryPoints/${name}`, name, time: new Date(t), type };
}

function appStepOf(estate: Estate): number {
  return estate.objectives.appConsistentFrequencyMinutes * 60_000;
}

function floorTo(ms: number, step: number): number {
  return Math.floor(ms / step) * step;
}
