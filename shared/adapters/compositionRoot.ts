import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import type { TokenCredential } from "@azure/core-auth";
import { ServiceBusClient } from "@azure/service-bus";
import { loadConfig, type AppConfig } from "../config/loadConfig.js";
import { loadEstateFile } from "../config/loadEstateFile.js";
import { STEP_QUEUE_NAME } from "../config/names.js";
import { createEngine, type Engine } from "../engine/engine.js";
import { systemClock } from "../ports/clock.js";
import type { Logger } from "../ports/logger.js";
import type { NotifierPort } from "../ports/notifier.js";
import type { RunStore } from "../ports/runStore.js";
import { createAzurePorts } from "./azurePorts.js";
import { createHttpHealthProbe } from "./httpHealthProbe.js";
import { createServiceBusQueue } from "./serviceBusQueue.js";
import { createTableRunStore } from "./tableRunStore.js";

export interface ProductionRoot {
  readonly config: AppConfig;
  readonly store: RunStore;
  engineFor(log: Logger): Engine;
}

let root: Promise<ProductionRoot> | undefined;

/** The Function App's wiring, built once per process on first use (never at import time). */
export function getProductionRoot(env: Readonly<Record<string, string | undefined>> = process.env): Promise<ProductionRoot> {
  root ??= buildRoot(env).catch((error: unknown) => {
    root = undefined; // a failed start (bad config, network) is retried by the next invocation
    throw error;
  });
  return root;
}

async function buildRoot(env: Readonly<Record<string, string | undefined>>): Promise<ProductionRoot> {
  const config = loadConfig(env);
  const estate = await loadEstateFile(config.ESTATE_CONFIG_PATH);
  const credential: TokenCredential = config.AZURE_CLIENT_ID ? new ManagedIdentityCredential({ clientId: config.AZURE_CLIENT_ID }) : new DefaultAzureCredential();
  const ports = createAzurePorts({ credential, subscriptionId: estate.subscriptionId });
  const store = await createTableRunStore({ endpoint: config.StateTables__tableServiceUri, credential });
  const sender = new ServiceBusClient(config.ServiceBusConnection__fullyQualifiedNamespace, credential).createSender(STEP_QUEUE_NAME);
  const queue = createServiceBusQueue({ sender });
  const probe = createHttpHealthProbe();
  return {
    config,
    store,
    engineFor: (log) => createEngine({ estate, store, queue, clock: systemClock, ...ports, probe, notifier: loggingNotifier(log), log }),
  };
}

/** Until channels are configured, run events go to the log (Application Insights). */
function loggingNotifier(log: Logger): NotifierPort {
  return { notify: (event) => Promise.resolve(log.info("run event", { runId: event.runId, kind: event.kind, summary: event.summary })) };
}
