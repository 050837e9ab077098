import { app, type InvocationContext } from "@azure/functions";
import { parseIncidentCheckMessage } from "../shared/alerts/alertService.js";
import { getAppRoot } from "../shared/appRoot.js";
import { FUNCTION_NAMES, INCIDENT_CHECK_QUEUE_NAME, SERVICE_BUS_CONNECTION } from "../shared/config/names.js";
import { invocationLogger } from "./invocationLogger.js";

/** A failover signal's debounce time is over: does it still hold, and may a run start? */
export async function handleIncidentCheck(message: unknown, context: InvocationContext): Promise<void> {
  const check = parseIncidentCheckMessage(message);
  const root = await getAppRoot();
  await root.alertsFor(invocationLogger(context)).handleCheck(check);
}

app.serviceBusQueue(FUNCTION_NAMES.incidentCheck, { connection: SERVICE_BUS_CONNECTION, queueName: INCIDENT_CHECK_QUEUE_NAME, handler: handleIncidentCheck });
