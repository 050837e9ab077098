import { createHash } from "node:crypto";

/** Service Bus message ids are at most 128 characters. */
const MAX_MESSAGE_ID = 128;

/** The same step wake-up always gets the same id, so Service Bus drops a duplicate send. */
export function stepMessageId(runId: string, stepId: string, seq: number): string {
  return boundedId(`${runId}|${stepId}|${seq}`);
}

/**
 * The n-th deferred copy of a wake-up (state store unreachable). It must differ from the original's
 * id, which duplicate detection would drop for the whole window (P1D), and stays the same for the
 * same deferral, so re-sending it after a crash is dropped as a duplicate.
 */
export function deferredStepMessageId(runId: string, stepId: string, seq: number, deferral: number): string {
  return boundedId(`${runId}|${stepId}|${seq}|deferred-${deferral}`);
}

function boundedId(id: string): string {
  return id.length <= MAX_MESSAGE_ID ? id : createHash("sha256").update(id).digest("hex");
}
