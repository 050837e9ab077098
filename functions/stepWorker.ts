import { app, type InvocationContext } from "@azure/functions";
import { getAppRoot } from "../shared/appRoot.js";
import { FUNCTION_NAMES, SERVICE_BUS_CONNECTION, STEP_QUEUE_NAME } from "../shared/config/names.js";
import { parseStepMessage } from "../shared/engine/stepMessage.js";
import { withKeys } from "../shared/ports/logger.js";
import { invocationLogger } from "./invocationLogger.js";

/** Executes one step wake-up. Returning completes the message; throwing abandons it for redelivery. */
export async function handleStepMessage(message: unknown, context: InvocationContext): Promise<void> {
  const step = parseStepMessage(message);
  const root = await getAppRoot();
  await root.engineFor(withKeys(invocationLogger(context), { runId: step.runId, stepId: step.stepId, seq: step.seq })).handleStepMessage(step);
}

/** A step message that exhausted its deliveries fails its run and tells people. */
export async function handleDeadLetteredStep(message: unknown, context: InvocationContext): Promise<void> {
  const step = parseStepMessage(message);
  const metadata = context.triggerMetadata ?? {};
  const reason = [metadata.deadLetterReason, metadata.deadLetterErrorDescription].filter(Boolean).map(String).join(": ") || "dead-lettered";
  const root = await getAppRoot();
  await root.engineFor(withKeys(invocationLogger(context), { runId: step.runId, stepId: step.stepId, seq: step.seq })).handleDeadLetter(step, reason);
}

app.serviceBusQueue(FUNCTION_NAMES.stepWorker, { connection: SERVICE_BUS_CONNECTION, queueName: STEP_QUEUE_NAME, handler: handleStepMessage });
app.serviceBusQueue(FUNCTION_NAMES.stepDeadLetters, {
  connection: SERVICE_BUS_CONNECTION,
  queueName: `${STEP_QUEUE_NAME}/$DeadLetterQueue`,
  handler: handleDeadLetteredStep,
});
