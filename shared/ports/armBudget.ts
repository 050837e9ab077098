/** ARM requests one piece of work made, and the lowest remaining budget ARM reported meanwhile. */
export interface ArmUsage {
  readonly reads: number;
  readonly writes: number;
  /** Answers 429 (throttled) among them. */
  readonly throttled: number;
  readonly lowestRemainingReads?: number;
  readonly lowestRemainingWrites?: number;
}

/** The reads and writes a piece of work is expected to make. */
export interface ArmCost {
  readonly reads: number;
  readonly writes: number;
}

/**
 * What this process knows of the subscription's ARM request budget: the remaining counts ARM sends on
 * every answer (x-ms-ratelimit-remaining-subscription-reads / -writes), refilled at the documented rate
 * since, less what this process has promised to work already scheduled.
 */
export interface ArmBudgetPort {
  /** Runs `work`, counting the ARM requests made inside it (and only those). */
  measure<T>(work: () => Promise<T>): Promise<{ readonly value: T; readonly usage: ArmUsage }>;
  /**
   * Books `cost` for work to be done at or after `now` and answers how many seconds from now it should
   * start so that neither budget falls below its reserve: 0 while the budget allows it at once.
   */
  book(cost: ArmCost, now: Date): number;
  /** How much slower optional reads (polls) should go now: 1 with a healthy read budget, more as it drains. */
  readPressure(now: Date): number;
}

/** A budget that knows nothing and never delays: for hosts without ARM. */
export const unlimitedArmBudget: ArmBudgetPort = {
  measure: async (work) => ({ value: await work(), usage: { reads: 0, writes: 0, throttled: 0 } }),
  book: () => 0,
  readPressure: () => 1,
};
