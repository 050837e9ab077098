import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import type { TokenCredential } from "@azure/core-auth";
import { ServiceBusClient } from "@azure/service-bus";
import { createAlertService, type IncidentCheckMessage } from "../alerts/alertService.js";
import type { AppRoot } from "../appRoot.js";
import { createTokenVerifier, entraVerifierOptions } from "../auth/tokenVerifier.js";
import { loadConfig } from "../config/loadConfig.js";
import { loadEstateFile } from "../config/loadEstateFile.js";
import { INCIDENT_CHECK_QUEUE_NAME, NOTIFICATION_QUEUE_NAME, STEP_QUEUE_NAME } from "../config/names.js";
import { createEngine } from "../engine/engine.js";
import { systemClock } from "../ports/clock.js";
import type { Logger } from "../ports/logger.js";
import type { NotificationMessage } from "../notifications/notificationMessage.js";
import { createNotificationService } from "../notifications/notificationService.js";
import { parseNotificationSettings } from "../notifications/notificationSettings.js";
import { createAzurePorts } from "./azurePorts.js";
import { createDirectoryProbe } from "./directoryProbe.js";
import { createHealthPorts } from "./healthPorts.js";
import { createHttpHealthProbe } from "./httpHealthProbe.js";
import { createNotificationChannels } from "./notificationChannels.js";
import { createServiceBusQueue, SERVICE_BUS_CLIENT_OPTIONS } from "./serviceBusQueue.js";
import { openTable, type StateTablesOptions } from "./stateTables.js";
import { createBlobAuditCopy } from "./blobAuditCopy.js";
import { createTableAuditLog } from "./tableAuditLog.js";
import { createTableIncidentStore } from "./tableIncidentStore.js";
import { createTableNotificationStore } from "./tableNotificationStore.js";
import { createTableRunStore } from "./tableRunStore.js";
import { createTableHealthHistory } from "./tableHealthHistory.js";
import { createTableIdempotencyStore, IDEMPOTENCY_TABLE } from "./tableIdempotencyStore.js";
import { runApiSettings } from "../engine/runApi.js";
import { createRunControl } from "../engine/runControl.js";

/** The Function App's wiring: managed identity, real Azure services, settings validated once. */
export async function buildProductionRoot(env: Readonly<Record<string, string | undefined>>): Promise<AppRoot> {
  const config = loadConfig(env);
  const estate = await loadEstateFile(config.ESTATE_CONFIG_PATH);
  const credential: TokenCredential = config.AZURE_CLIENT_ID ? new ManagedIdentityCredential({ clientId: config.AZURE_CLIENT_ID }) : new DefaultAzureCredential();
  const ports = createAzurePorts({ credential, subscriptionId: estate.subscriptionId });
  // The alert policy reads the circuits' metrics and the NAT's Heartbeat before an automatic failover.
  const { monitor } = createHealthPorts({ credential, subscriptionId: estate.subscriptionId, clock: systemClock });
  const tables: StateTablesOptions = { endpoint: config.StateTables__tableServiceUri, credential };
  const [runs, incidentsTable, auditTable] = await Promise.all([createTableRunStore(tables), openTable(tables, "incidents"), openTable(tables, "audit")]);
  const serviceBus = new ServiceBusClient(config.ServiceBusConnection__fullyQualifiedNamespace, credential, SERVICE_BUS_CLIENT_OPTIONS);
  const steps = createServiceBusQueue({ sender: serviceBus.createSender(STEP_QUEUE_NAME) });
  const checks = createServiceBusQueue<IncidentCheckMessage>({ sender: serviceBus.createSender(INCIDENT_CHECK_QUEUE_NAME), what: "incident check" });
  const auditCopy = config.AUDIT_BLOB_CONTAINER_URL ? { copy: createBlobAuditCopy({ containerUrl: config.AUDIT_BLOB_CONTAINER_URL, estate: estate.name, credential }) } : {};
  const audit = createTableAuditLog({ table: auditTable, estate: estate.name, ...auditCopy });
  const incidents = createTableIncidentStore({ table: incidentsTable });
  const probe = createHttpHealthProbe();
  const directory = createDirectoryProbe();
  const verifyToken = createTokenVerifier(entraVerifierOptions(config.AUTH_TENANT_ID, config.AUTH_AUDIENCES.split(",").map((a) => a.trim())));
  const notificationSettings = parseNotificationSettings(config);
  const notifications = createNotificationService({
    settings: notificationSettings,
    queue: createServiceBusQueue<NotificationMessage>({ sender: serviceBus.createSender(NOTIFICATION_QUEUE_NAME), what: "notification" }),
    store: await createTableNotificationStore(tables),
    channels: createNotificationChannels(notificationSettings, { credential, clock: systemClock }),
    clock: systemClock,
  });
  const engineFor = (log: Logger) => createEngine({ estate, store: runs, queue: steps, clock: systemClock, ...ports, probe, directory, notifier: notifications.notifierFor(log), log, audit });
  const [idempotencyTable, healthHistory] = await Promise.all([openTable(tables, IDEMPOTENCY_TABLE), createTableHealthHistory(tables)]);
  const runApiSettingsValue = runApiSettings(config);
  return {
    estate,
    clock: systemClock,
    runs,
    audit,
    verifyToken,
    alertAuth: config.ALERT_AUTH_MODE === "key" ? { kind: "key", key: config.ALERT_WEBHOOK_KEY } : { kind: "entra", verify: verifyToken },
    notifications,
    engineFor,
    alertsFor: (log) =>
      createAlertService({ estate, incidents, runs, audit, engine: engineFor(log), siteRecovery: ports.siteRecovery, checks, notifier: notifications.notifierFor(log), clock: systemClock, log, monitor }),
    runApi: {
      reads: { siteRecovery: ports.siteRecovery, dns: ports.dns, routes: ports.routes },
      idempotency: createTableIdempotencyStore({ table: idempotencyTable, estate: estate.name }),
      settings: runApiSettingsValue,
      runControlFor: (log) =>
        createRunControl({ estate, store: runs, queue: steps, clock: systemClock, audit, log, engine: engineFor(log), siteRecovery: ports.siteRecovery, separateApprover: runApiSettingsValue.separateApprover }),
      latestHealth: async () => (await healthHistory.list(estate.name, 1))[0],
    },
  };
}
