import type { TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import { ServiceBusClient } from "@azure/service-bus";
import type { IncidentCheckMessage } from "../incidents/alertService.js";
import { entraVerifierOptions } from "../auth/tokenVerifier.js";
import type { AppConfig } from "../config/loadConfig.js";
import { INCIDENT_CHECK_QUEUE_NAME, NOTIFICATION_QUEUE_NAME, STEP_QUEUE_NAME } from "../config/names.js";
import type { NotificationMessage } from "../notifications/notificationMessage.js";
import { systemClock } from "../ports/clock.js";
import { createBlobAuditCopy } from "./blobAuditCopy.js";
import { createDirectoryProbe } from "./directoryProbe.js";
import { createHttpHealthProbe } from "./httpHealthProbe.js";
import type { Infrastructure } from "./infrastructure.js";
import { createServiceBusQueue, SERVICE_BUS_CLIENT_OPTIONS } from "./serviceBusQueue.js";

/** The app's managed identity (user-assigned when AZURE_CLIENT_ID names it). */
export function appCredential(config: Pick<AppConfig, "AZURE_CLIENT_ID">): TokenCredential {
  return config.AZURE_CLIENT_ID ? new ManagedIdentityCredential({ clientId: config.AZURE_CLIENT_ID }) : new DefaultAzureCredential();
}

/** The Function App's services: managed identity, real ARM, Table Storage, Service Bus and Entra ID. */
export function createAzureInfrastructure(config: AppConfig, estateName: string, credential: TokenCredential = appCredential(config)): Infrastructure {
  const serviceBus = new ServiceBusClient(config.ServiceBusConnection__fullyQualifiedNamespace, credential, SERVICE_BUS_CLIENT_OPTIONS);
  return {
    clock: systemClock,
    azure: { credential },
    tables: { endpoint: config.StateTables__tableServiceUri, credential, createTables: false },
    queues: {
      steps: createServiceBusQueue({ sender: serviceBus.createSender(STEP_QUEUE_NAME) }),
      checks: createServiceBusQueue<IncidentCheckMessage>({ sender: serviceBus.createSender(INCIDENT_CHECK_QUEUE_NAME), what: "incident check" }),
      notifications: createServiceBusQueue<NotificationMessage>({ sender: serviceBus.createSender(NOTIFICATION_QUEUE_NAME), what: "notification" }),
    },
    probe: createHttpHealthProbe(),
    directory: createDirectoryProbe(),
    verifier: entraVerifierOptions(
      config.AUTH_TENANT_ID,
      config.AUTH_AUDIENCES.split(",").map((a) => a.trim()),
    ),
    notifications: { credential, clock: systemClock },
    ...(config.AUDIT_BLOB_CONTAINER_URL
      ? { auditCopy: createBlobAuditCopy({ containerUrl: config.AUDIT_BLOB_CONTAINER_URL, estate: estateName, credential }) }
      : {}),
  };
}
