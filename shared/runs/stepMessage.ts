import { z } from "zod";
import { queueBodyParser } from "../ports/queueBody.js";
import type { StepMessage } from "../ports/queue.js";
import type { AsrJob } from "../ports/siteRecovery.js";

/** Carried by a wake-up the engine re-sent because the state store could not be reached. */
export interface StoreOutageDeferral {
  /** How many times this wake-up has been deferred in a row (1 for the first copy). */
  readonly count: number;
  /** When the outage was first met by this wake-up (ISO 8601). */
  readonly since: string;
}

/**
 * An ASR job as the vault's job watch saw it when it woke the step: the step need not read it again.
 * Its start time stays out: the watch has used it, and a message body carries no Date.
 */
export type ObservedJob = Omit<AsrJob, "startTime">;

/** A step message as the step queue carries it: the wake-up, and its deferral if it was put off. */
export interface StepWake extends StepMessage {
  readonly deferral?: StoreOutageDeferral;
  /** The job the step waits for, as its vault's job watch just listed it. */
  readonly job?: ObservedJob;
  /** ARM requests a job watch made on the step's behalf (its list), added to the step's usage. */
  readonly arm?: { readonly reads: number; readonly writes: number; readonly throttled: number };
}

const StepMessageSchema = z.strictObject({
  runId: z.string().min(1),
  stepId: z.string().min(1),
  seq: z.number().int().nonnegative(),
  deferral: z.strictObject({ count: z.number().int().positive(), since: z.iso.datetime() }).optional(),
  job: z
    .strictObject({
      name: z.string().min(1),
      state: z.string(),
      stateDescription: z.string(),
      scenarioName: z.string(),
      errors: z.array(z.string()),
      testVms: z.array(z.strictObject({ internalId: z.string(), testVmName: z.string() })),
    })
    .optional(),
  arm: z.strictObject({ reads: z.number().int().nonnegative(), writes: z.number().int().nonnegative(), throttled: z.number().int().nonnegative() }).optional(),
});

const parseBody = queueBodyParser(StepMessageSchema, "step message");

/** Validates a step message body from the queue. */
export function parseStepMessage(body: unknown): StepWake {
  const { deferral, job, arm, ...wake } = parseBody(body);
  return { ...wake, ...(deferral ? { deferral } : {}), ...(job ? { job } : {}), ...(arm ? { arm } : {}) };
}

/** First delay of a wake-up put off by a state store outage; it doubles per deferral up to the cap. */
const FIRST_DEFERRAL_SECONDS = 15;
const DEFERRAL_CAP_SECONDS = 120;
/**
 * How long a wake-up keeps being put off before it falls back to normal redelivery (and, the store
 * still down, to the dead-letter queue): longer than a typical storage incident's first minutes, short
 * of the one-hour RTO.
 */
export const STORE_OUTAGE_PATIENCE_SECONDS = 15 * 60;

/**
 * The next deferral of a wake-up that met an unreachable state store at `now`, or undefined when it
 * has been put off for the whole patience window. Delays: 15, 30, 60, then 120 s each; a wake-up is
 * given up only when it meets the outage again 15 minutes or more after it first met it.
 */
export function nextStoreOutageDeferral(
  previous: StoreOutageDeferral | undefined,
  now: Date,
): { deferral: StoreOutageDeferral; delaySeconds: number } | undefined {
  const since = previous?.since ?? now.toISOString();
  if (now.getTime() - Date.parse(since) >= STORE_OUTAGE_PATIENCE_SECONDS * 1000) return undefined;
  const count = (previous?.count ?? 0) + 1;
  const delaySeconds = Math.min(DEFERRAL_CAP_SECONDS, FIRST_DEFERRAL_SECONDS * 2 ** (count - 1));
  return { deferral: { count, since }, delaySeconds };
}
