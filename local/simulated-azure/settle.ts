import { finishJob } from "./asrJobs.js";
import { pendingFailbackSyncs } from "./failbackReplication.js";
import { finishNicOperation } from "./nicHandlers.js";
import { finishRouteOperation } from "./routeHandlers.js";
import { finishRunCommand } from "./runCommand.js";
import type { World } from "./world.js";

interface Pending {
  readonly endsAt: Date;
  readonly seq: number;
  complete(): void;
}

function pending(world: World): Pending[] {
  const all: Pending[] = [];
  for (const job of world.jobs.values()) if (job.state === "InProgress") all.push({ endsAt: job.endsAt, seq: job.seq, complete: () => finishJob(world, job) });
  for (const op of world.routeOps.values())
    if (op.state === "InProgress") all.push({ endsAt: op.endsAt, seq: op.seq, complete: () => finishRouteOperation(world, op) });
  for (const op of world.nicOps.values())
    if (op.state === "InProgress") all.push({ endsAt: op.endsAt, seq: op.seq, complete: () => finishNicOperation(world, op) });
  for (const op of world.runCommands.values())
    if (op.state === "InProgress") all.push({ endsAt: op.endsAt, seq: op.seq, complete: () => finishRunCommand(world, op) });
  all.push(...pendingFailbackSyncs(world));
  return all.sort((a, b) => a.endsAt.getTime() - b.endsAt.getTime() || a.seq - b.seq);
}

/**
 * Time is evaluated lazily: before every request and inspection, everything whose duration has elapsed on
 * the injected clock completes, in the order it would have completed, so a run command sees the VMs that a
 * failover finishing earlier created.
 */
export function settle(world: World, now: Date): void {
  for (;;) {
    const next = pending(world)[0];
    if (!next || next.endsAt.getTime() > now.getTime()) return;
    next.complete();
  }
}

export function nextCompletionAt(world: World): Date | undefined {
  return pending(world)[0]?.endsAt;
}
