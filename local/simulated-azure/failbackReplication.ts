import type { ProtectedItem, World } from "./world.js";

/**
 * Replication back to vSphere after a reprotect, in the simulated ASR.
 *
 * Recorded (asr-inmagercm-recorded-details.md §5, item Rcm-W2K19-155): a reprotected item first shows
 * InMageRcmFailback / InitialReplicationInProgress "Initial replication is in progress" (92 %), allowing
 * only DisableProtection, and later Protected, allowing PlannedFailover and DisableProtection. The
 * progress fields are the spec's InMageRcmFailbackReplicationDetails (SDK model of the same name):
 * initialReplicationProgressPercentage, initialReplicationProgressHealth (VmReplicationProgressHealth:
 * None, InProgress, SlowProgress, NoProgress), initialReplicationProcessedBytes / TransferredBytes.
 * How long the initial replication takes depends on the data to copy and is not recorded:
 * JobDurations.failbackSyncMs stands for it, and the percentage grows linearly with the simulated clock.
 */
export function startFailbackSync(world: World, item: ProtectedItem, now: Date): void {
  item.failback = {
    syncStartedAt: now.toISOString(),
    syncEndsAt: new Date(now.getTime() + world.durations.failbackSyncMs).toISOString(),
    syncSeq: world.nextSeq(),
    synced: false,
    plannedFailoverJobsStarted: 0,
  };
  item.protectionState = "InitialReplicationInProgress";
  item.protectionStateDescription = "Initial replication is in progress";
  item.allowedOperations = ["DisableProtection"];
}

/** Replication back has caught up: the recorded state F (Protected, PlannedFailover offered). */
function finishFailbackSync(item: ProtectedItem): void {
  if (!item.failback) return;
  item.failback.synced = true;
  item.protectionState = "Protected";
  item.protectionStateDescription = "Protected";
  item.allowedOperations = ["PlannedFailover", "DisableProtection"];
}

/** Initial replications back to vSphere still under way, for settle() to complete when their time has come. */
export function pendingFailbackSyncs(world: World): { endsAt: Date; seq: number; complete(): void }[] {
  const pending = [];
  for (const item of world.items.values()) {
    const sync = item.failback;
    // Only while the item still waits for it: a job started on it since (none is allowed) would own its state.
    if (sync && !sync.synced && item.reprotected && item.protectionState === "InitialReplicationInProgress")
      pending.push({ endsAt: new Date(sync.syncEndsAt), seq: sync.syncSeq, complete: () => finishFailbackSync(item) });
  }
  return pending;
}

/** InMageRcmFailback's initial replication fields at `now` (spec names; see above). */
export function failbackProgressJson(item: ProtectedItem, now: Date): Record<string, unknown> {
  const sync = item.failback;
  if (!sync || sync.synced) return { initialReplicationProgressPercentage: null, initialReplicationProgressHealth: "None" };
  const start = Date.parse(sync.syncStartedAt);
  const total = Math.max(1, Date.parse(sync.syncEndsAt) - start);
  const percentage = Math.max(0, Math.min(99, Math.floor(((now.getTime() - start) / total) * 100)));
  // Not recorded: a 64 GiB disk set copied at the same pace stands for the byte counters.
  const bytes = Math.round((64 * 2 ** 30 * percentage) / 100);
  return {
    initialReplicationProgressPercentage: percentage,
    initialReplicationProgressHealth: "InProgress",
    initialReplicationProcessedBytes: bytes,
    initialReplicationTransferredBytes: bytes,
  };
}
