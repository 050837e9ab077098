import type { ArmUsage } from "../ports/armBudget.js";

/** Two counts of ARM requests added; the lowest remaining budget is the lower of the two. */
export function addArmUsage(a: ArmUsage | undefined, b: Partial<ArmUsage> & Pick<ArmUsage, "reads" | "writes">): ArmUsage {
  const lowest = (x: number | undefined, y: number | undefined): number | undefined => (x === undefined ? y : y === undefined ? x : Math.min(x, y));
  const reads = lowest(a?.lowestRemainingReads, b.lowestRemainingReads);
  const writes = lowest(a?.lowestRemainingWrites, b.lowestRemainingWrites);
  return {
    reads: (a?.reads ?? 0) + b.reads,
    writes: (a?.writes ?? 0) + b.writes,
    throttled: (a?.throttled ?? 0) + (b.throttled ?? 0),
    ...(reads !== undefined ? { lowestRemainingReads: reads } : {}),
    ...(writes !== undefined ? { lowestRemainingWrites: writes } : {}),
  };
}

/** The sum over a run's steps (undefined when none made an ARM request). */
export function totalArmUsage(usages: readonly (ArmUsage | undefined)[]): ArmUsage | undefined {
  let total: ArmUsage | undefined;
  for (const usage of usages) if (usage) total = addArmUsage(total, usage);
  return total;
}
