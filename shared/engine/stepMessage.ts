import { z } from "zod";
import { queueBodyParser } from "../config/queueBody.js";
import type { StepMessage } from "../ports/queue.js";

const StepMessageSchema = z.strictObject({
  runId: z.string().min(1),
  stepId: z.string().min(1),
  seq: z.number().int().nonnegative(),
});

/** Validates a step message body from the queue. */
export const parseStepMessage: (body: unknown) => StepMessage = queueBodyParser(StepMessageSchema, "step message");
