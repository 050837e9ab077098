import { z } from "zod";
import type { StepMessage } from "../ports/queue.js";

const StepMessageSchema = z.strictObject({
  runId: z.string().min(1),
  stepId: z.string().min(1),
  seq: z.number().int().nonnegative(),
});

/** Validates a step message body from the queue; a malformed one is an error, never guessed at. */
export function parseStepMessage(body: unknown): StepMessage {
  const parsed = StepMessageSchema.safeParse(typeof body === "string" ? safeJson(body) : body);
  if (!parsed.success) throw new Error(`malformed step message: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
