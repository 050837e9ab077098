import { app } from "@azure/functions";
import { FUNCTION_NAMES, SERVICE_BUS_CONNECTION, STEP_QUEUE_NAME } from "../shared/config/names.js";
import { handleDeadLetteredStep, handleStepMessage } from "../shared/host/triggers/steps.js";

app.serviceBusQueue(FUNCTION_NAMES.stepWorker, { connection: SERVICE_BUS_CONNECTION, queueName: STEP_QUEUE_NAME, handler: handleStepMessage });
app.serviceBusQueue(FUNCTION_NAMES.stepDeadLetters, {
  connection: SERVICE_BUS_CONNECTION,
  queueName: `${STEP_QUEUE_NAME}/$DeadLetterQueue`,
  handler: handleDeadLetteredStep,
});
