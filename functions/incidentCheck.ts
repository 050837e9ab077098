import { app } from "@azure/functions";
import { FUNCTION_NAMES, INCIDENT_CHECK_QUEUE_NAME, SERVICE_BUS_CONNECTION } from "../shared/config/names.js";
import { handleIncidentCheck } from "../shared/host/triggers/incidentChecks.js";

app.serviceBusQueue(FUNCTION_NAMES.incidentCheck, { connection: SERVICE_BUS_CONNECTION, queueName: INCIDENT_CHECK_QUEUE_NAME, handler: handleIncidentCheck });
