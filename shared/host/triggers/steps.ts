import { getAppRoot } from "../../root/appRoot.js";
import { parseStepMessage } from "../../runs/stepMessage.js";
import { withKeys } from "../../ports/logger.js";
import type { Invocation } from "../hostTypes.js";
import { invocationLogger } from "../invocationLogger.js";

/** Executes one step wake-up. Returning completes the message; throwing abandons it for redelivery. */
export async function handleStepMessage(message: unknown, context: Invocation): Promise<void> {
  const step = parseStepMessage(message);
  const root = await getAppRoot();
  await root.engineFor(withKeys(invocationLogger(context), { runId: step.runId, stepId: step.stepId, seq: step.seq })).handleStepMessage(step);
}

/** A step message that exhausted its deliveries fails its run and tells people. */
export async function handleDeadLetteredStep(message: unknown, context: Invocation): Promise<void> {
  const step = parseStepMessage(message);
  const metadata = context.triggerMetadata ?? {};
  const reason = [metadata["deadLetterReason"], metadata["deadLetterErrorDescription"]].filter(Boolean).map(String).join(": ") || "dead-lettered";
  const root = await getAppRoot();
  await root.engineFor(withKeys(invocationLogger(context), { runId: step.runId, stepId: step.stepId, seq: step.seq })).handleDeadLetter(step, reason);
}
