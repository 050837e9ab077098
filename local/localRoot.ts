import { AzureNamedKeyCredential } from "@azure/data-tables";
import { createAlertService, parseIncidentCheckMessage, type IncidentCheckMessage } from "../shared/alerts/alertService.js";
import { createHealthPorts } from "../shared/adapters/healthPorts.js";
import { openTable } from "../shared/adapters/stateTables.js";
import { createTableHealthHistory } from "../shared/adapters/tableHealthHistory.js";
import { createTableIdempotencyStore, IDEMPOTENCY_TABLE } from "../shared/adapters/tableIdempotencyStore.js";
import type { RunApiRoot, RunApiSettings } from "../shared/engine/runApi.js";
import { createRunControl } from "../shared/engine/runControl.js";
import { createTableIncidentStore } from "../shared/adapters/tableIncidentStore.js";
import type { AppRoot } from "../shared/appRoot.js";
import type { AlertAuthMode } from "../shared/auth/authenticate.js";
import { createTokenVerifier } from "../shared/auth/tokenVerifier.js";
import { INCIDENT_CHECK_QUEUE_NAME } from "../shared/config/names.js";
import type { Logger } from "../shared/ports/logger.js";
import type { NotifierPort } from "../shared/ports/notifier.js";
import { AZURITE_ACCOUNT, AZURITE_KEY } from "./azurite.js";
import type { DevIdentity } from "./devIdentity.js";
import { QUEUE_SETTINGS, type LocalStack } from "./localStack.js";
import type { LocalQueue } from "./serviceBus/localServiceBus.js";

/** The run API settings of local hosts: the production defaults (loadConfig) with the drill over the whole estate. */
export const LOCAL_RUN_API_SETTINGS: RunApiSettings = { separateApprover: true, trustClientPrincipal: false, drill: { scope: { kind: "all" }, cleanupAfterMinutes: 60 } };

export interface LocalRoot {
  readonly root: AppRoot;
  /** The incident-check queue, beside the step queue on the local Service Bus. */
  readonly checks: LocalQueue<IncidentCheckMessage>;
  /** Delivers debounce checks, as the Functions host would, until none is left. */
  drainChecks(): Promise<void>;
}

/** The same AppRoot the Function App builds, over the local stack: Azurite, simulated Azure, local identity. */
export async function buildLocalRoot(options: {
  stack: LocalStack;
  tableEndpoint: string;
  tablePrefix: string;
  identity: DevIdentity;
  alertAuth: "entra" | "key";
  notifier: NotifierPort;
  log: Logger;
  /** Overrides of the run API settings (defaults: LOCAL_RUN_API_SETTINGS). */
  runApi?: Partial<RunApiSettings>;
}): Promise<LocalRoot> {
  const { stack, identity } = options;
  const tables = { endpoint: options.tableEndpoint, credential: new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY), clientOptions: { allowInsecureConnection: true }, tablePrefix: options.tablePrefix };
  const [incidentsTable, idempotencyTable, healthHistory] = await Promise.all([openTable(tables, "incidents"), openTable(tables, IDEMPOTENCY_TABLE), createTableHealthHistory(tables)]);
  const estate = stack.estate;
  const audit = stack.audit;
  const incidents = createTableIncidentStore({ table: incidentsTable });
  const checks = await stack.queue.addQueue({
    name: INCIDENT_CHECK_QUEUE_NAME,
    maxDeliveryCount: QUEUE_SETTINGS.maxDeliveryCount,
    duplicateWindowMs: QUEUE_SETTINGS.duplicateWindowMs,
    parse: parseIncidentCheckMessage,
  });
  const verifyToken = createTokenVerifier(identity.verifier);
  const alertAuth: AlertAuthMode = options.alertAuth === "key" ? { kind: "key", key: identity.alertKey } : { kind: "entra", verify: verifyToken };
  // The alert policy corroborates through the same Monitor clients the health check uses, over simulated Azure.
  const { monitor } = createHealthPorts({ credential: stack.azure.credential, subscriptionId: estate.subscriptionId, clock: stack.clock, httpClient: stack.azure.httpClient, retryOptions: { maxRetries: 3, retryDelayInMs: 5, maxRetryDelayInMs: 50 } });
  const alertsFor = (log: Logger) =>
    createAlertService({ estate, incidents, runs: stack.store, audit, engine: stack.engine, siteRecovery: stack.ports.siteRecovery, checks, notifier: options.notifier, clock: stack.clock, log, monitor });
  const settings: RunApiSettings = { ...LOCAL_RUN_API_SETTINGS, ...options.runApi };
  const runApi: RunApiRoot = {
    reads: { siteRecovery: stack.ports.siteRecovery, dns: stack.ports.dns, routes: stack.ports.routes },
    idempotency: createTableIdempotencyStore({ table: idempotencyTable, estate: estate.name }),
    settings,
    runControlFor: (log) =>
      createRunControl({ estate, store: stack.store, queue: stack.queue, clock: stack.clock, audit, log, engine: stack.engine, siteRecovery: stack.ports.siteRecovery, separateApprover: settings.separateApprover }),
    latestHealth: async () => (await healthHistory.list(estate.name, 1))[0],
  };
  const root: AppRoot = { estate, clock: stack.clock, runs: stack.store, audit, alertAuth, verifyToken, engineFor: () => stack.engine, alertsFor, runApi };
  return {
    root,
    checks,
    drainChecks: () =>
      checks.drain({
        handler: async (message) => void (await alertsFor(options.log).handleCheck(message)),
        onDeadLetter: (message, reason) => Promise.resolve(options.log.error("incident check dead-lettered", { checkId: message.checkId, reason })),
        concurrency: QUEUE_SETTINGS.maxConcurrentCalls,
      }),
  };
}
