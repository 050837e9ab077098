import { createHash } from "node:crypto";

/** Service Bus message ids are at most 128 characters. */
const MAX_MESSAGE_ID = 128;

/** The same step wake-up always gets the same id, so Service Bus drops a duplicate send. */
export function stepMessageId(runId: string, stepId: string, seq: number): string {
  const id = `${runId}|${stepId}|${seq}`;
  return id.length <= MAX_MESSAGE_ID ? id : createHash("sha256").update(id).digest("hex");
}
