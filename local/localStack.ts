import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient, PipelinePolicy } from "@azure/core-rest-pipeline";
import { randomBytes } from "node:crypto";
import type { Infrastructure } from "../shared/adapters/infrastructure.js";
import { parseIncidentCheckMessage, type IncidentCheckMessage } from "../shared/incidents/alertService.js";
import type { AppRoot } from "../shared/root/appRoot.js";
import { loadConfig, type AppConfig } from "../shared/config/loadConfig.js";
import { INCIDENT_CHECK_QUEUE_NAME, NOTIFICATION_QUEUE_NAME } from "../shared/config/names.js";
import type { Estate } from "../shared/domain/estate.js";
import type { Engine } from "../shared/runs/engine.js";
import type { BoundaryHook, EngineTiming } from "../shared/runs/engineDeps.js";
import type { HealthReadLimits } from "../shared/health/readHealthSnapshot.js";
import { parseNotificationMessage, type NotificationMessage } from "../shared/notifications/notificationMessage.js";
import type { DeliveryPolicy } from "../shared/notifications/notificationWorker.js";
import type { AuditLog } from "../shared/ports/auditLog.js";
import type { Logger } from "../shared/ports/logger.js";
import type { NotifierPort, RunEvent } from "../shared/ports/notifier.js";
import type { RunStore } from "../shared/ports/runStore.js";
import { routeIncidentCheck } from "../shared/host/triggers/incidentChecks.js";
import { buildAppRoot } from "../shared/root/buildAppRoot.js";
import { azuriteTables } from "./azurite.js";
import { createDevIdentity, DEV_AUDIENCE, DEV_TENANT, type DevIdentity } from "./devIdentity.js";
import { startLocalNamespace, startLocalServiceBus, type LocalNamespace, type LocalQueue, type LocalServiceBus } from "./serviceBus/localServiceBus.js";
import { createSimulatedAzure, type FaultPlan, type JobDurations, type SimulatedAzure } from "./simulated-azure/simulatedAzure.js";
import type { WorldSnapshot } from "./simulated-azure/worldSnapshot.js";
import { SimulatedClock } from "./simulatedClock.js";

/** The Service Bus settings the product deploys (infra) and the trigger uses (host.json). */
export const QUEUE_SETTINGS = { maxDeliveryCount: 10, duplicateWindowMs: 24 * 3_600_000, maxConcurrentCalls: 16 } as const;

/** SDK retries against local services: the real policies (Retry-After, backoff), short real delays. */
const LOCAL_RETRIES = { maxRetries: 3, retryDelayInMs: 5, maxRetryDelayInMs: 50 } as const;

export interface LocalStackOptions {
  readonly estate: Estate;
  readonly tableEndpoint: string;
  /** Prefix of the stack's tables (default: a random one); a state directory keeps its tables under a fixed one. */
  readonly tablePrefix?: string;
  readonly faults?: FaultPlan;
  readonly durations?: Partial<JobDurations>;
  /** false: time moves only between deliveries (deterministic tests). */
  readonly realTime?: boolean;
  readonly start?: Date;
  /** The stack's clock, instead of one made from `start` and `realTime`. */
  readonly clock?: SimulatedClock;
  /** Simulated Azure as a sandbox's state directory saved it (give `start` its clock instant too). */
  readonly azureState?: WorldSnapshot;
  readonly log: Logger;
  /** App settings over the local defaults, named as in Azure (ALERT_AUTH_MODE, DRILL_SCOPE, NOTIFY_*...). */
  readonly settings?: Readonly<Record<string, string | undefined>>;
  /** Signs operators' and the Action Group's tokens (default: a new one). */
  readonly identity?: DevIdentity;
  /** Replaces the queue notifier (tests that assert run events); absent: the production notification path. */
  readonly notifier?: NotifierPort;
  /** Told every run event before the production notification path gets it (the sandbox's event list). */
  readonly onEvent?: (event: RunEvent) => void;
  readonly timing?: Partial<EngineTiming>;
  readonly boundary?: BoundaryHook;
  readonly healthLimits?: Partial<HealthReadLimits>;
  /** Health readers to leave out (the health check's rule tests). */
  readonly healthWithout?: readonly ("runHistory" | "notificationChannels")[];
  /** Where notification channels send (local receivers), and how long an attempt may take. */
  readonly notificationTransport?: { readonly credential?: TokenCredential; readonly emailHttpClient?: HttpClient; readonly timeoutMs?: number };
  /** The notification worker's retry policy and jitter, the notifier's enqueue bound (notification tests). */
  readonly notificationTuning?: { readonly policy?: Partial<DeliveryPolicy>; readonly random?: () => number; readonly enqueueTimeoutMs?: number };
}

export interface LocalStack {
  readonly estate: Estate;
  /** The product's one root (shared/root/buildAppRoot.ts) over the local infrastructure. */
  readonly root: AppRoot;
  /** The engine with the stack's logger (root.engineFor(log)). */
  readonly engine: Engine;
  readonly store: RunStore;
  readonly audit: AuditLog;
  /** Prefix of this stack's tables in the shared Azurite account. */
  readonly tablePrefix: string;
  /** The step queue: the production Service Bus adapter over the local AMQP peer. */
  readonly queue: LocalServiceBus;
  /** The incident-check queue, beside the step queue. */
  readonly checks: LocalQueue<IncidentCheckMessage>;
  /** The notification queue, on its own namespace and clock: retries never move failover time. */
  readonly notifications: LocalQueue<NotificationMessage>;
  readonly clock: SimulatedClock;
  readonly notificationClock: SimulatedClock;
  readonly azure: SimulatedAzure;
  /** Table Storage requests the stack's tables have made so far (every attempt, any table). */
  tableRequests(): number;
  /** Delivers step messages, as the Functions host would, until the queue is empty. */
  drain(): Promise<void>;
  /** Delivers debounce checks until none is left. */
  drainChecks(): Promise<void>;
  /** Delivers notifications until none is left (a dead letter is logged unless `onDeadLetter` says otherwise). */
  drainNotifications(options?: { readonly onDeadLetter?: (message: NotificationMessage, reason: string) => Promise<void> }): Promise<void>;
  /** Closes the Service Bus connections and the peers. */
  stop(): Promise<void>;
}

/** The app settings of a local host: what a deployment would set, pointed at the local services. */
export function localConfig(tableEndpoint: string, overrides: Readonly<Record<string, string | undefined>> = {}): AppConfig {
  return loadConfig({
    ESTATE_CONFIG_PATH: "estate/sample-estate.json",
    ServiceBusConnection__fullyQualifiedNamespace: "127.0.0.1",
    StateTables__tableServiceUri: tableEndpoint,
    AUTH_TENANT_ID: DEV_TENANT,
    AUTH_AUDIENCES: DEV_AUDIENCE,
    ...overrides,
  });
}

/**
 * The product as the Function App builds it (buildAppRoot), over local infrastructure: simulated
 * Azure through the SDKs' httpClient, Table Storage on Azurite, queues on the local Service Bus peer,
 * tokens from a local identity.
 */
export async function createLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { estate, log } = options;
  const realTime = options.realTime ?? true;
  const clock = options.clock ?? new SimulatedClock(options.start ?? new Date(), { realTime });
  const notificationClock = new SimulatedClock(clock.now(), { realTime });
  const azure = createSimulatedAzure({
    estate,
    clock,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.durations ? { durations: options.durations } : {}),
    ...(options.azureState ? { restore: options.azureState } : {}),
  });
  const identity = options.identity ?? (await createDevIdentity());
  const config = localConfig(options.tableEndpoint, { ALERT_WEBHOOK_KEY: identity.alertKey, ...options.settings });
  const tablePrefix = options.tablePrefix ?? `t${randomBytes(4).toString("hex")}`;
  let tableRequests = 0;
  const countTableRequests: PipelinePolicy = { name: "countTableRequests", sendRequest: (request, next) => ((tableRequests += 1), next(request)) };
  const opened: LocalNamespace[] = [];
  try {
    const queue = await startLocalServiceBus({ clock, maxDeliveryCount: QUEUE_SETTINGS.maxDeliveryCount, duplicateWindowMs: QUEUE_SETTINGS.duplicateWindowMs });
    opened.push(queue);
    const checks = await queue.addQueue({ name: INCIDENT_CHECK_QUEUE_NAME, ...queueSettings, parse: parseIncidentCheckMessage });
    const notificationNamespace = await startLocalNamespace({ clock: notificationClock });
    opened.push(notificationNamespace);
    const notifications = await notificationNamespace.addQueue({ name: NOTIFICATION_QUEUE_NAME, ...queueSettings, parse: parseNotificationMessage });
    const transport = options.notificationTransport ?? {};
    const infrastructure: Infrastructure = {
      clock,
      azure: { credential: azure.credential, httpClient: azure.httpClient, retryOptions: LOCAL_RETRIES },
      // The Table SDK's own retries too, short: a store outage reaches the engine quickly.
      tables: azuriteTables(options.tableEndpoint, tablePrefix, {
        retryOptions: LOCAL_RETRIES,
        additionalPolicies: [{ policy: countTableRequests, position: "perRetry" }],
      }),
      queues: { steps: queue, checks, notifications },
      probe: azure.probe,
      directory: azure.directory,
      verifier: identity.verifier,
      notifications: {
        credential: transport.credential ?? noEmailCredential,
        clock: notificationClock,
        ...(transport.timeoutMs !== undefined ? { timeoutMs: transport.timeoutMs } : {}),
        ...(transport.emailHttpClient ? { emailHttpClient: transport.emailHttpClient } : {}),
      },
      local: {
        ...(options.notifier ? { notifierFor: () => options.notifier as NotifierPort } : {}),
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        ...(options.timing ? { engineTiming: options.timing } : {}),
        ...(options.boundary ? { boundary: options.boundary } : {}),
        ...(options.healthLimits ? { healthLimits: options.healthLimits } : {}),
        // The health check's Run Command read on the target DC waits in simulated time, not real time.
        healthPause: (ms: number) => Promise.resolve(clock.advanceTo(new Date(clock.now().getTime() + ms))),
        ...(options.healthWithout ? { healthWithout: options.healthWithout } : {}),
        ...(options.notificationTuning ? { notificationTuning: options.notificationTuning } : {}),
      },
    };
    const root = await buildAppRoot(config, estate, infrastructure);
    const engine = root.engineFor(log);
    const notificationService = root.notifications;
    return {
      estate,
      root,
      engine,
      store: root.runs,
      audit: root.audit,
      tablePrefix,
      queue,
      checks,
      notifications,
      clock,
      notificationClock,
      azure,
      tableRequests: () => tableRequests,
      drain: () =>
        queue.drain({
          handler: (message) => engine.handleStepMessage(message),
          onDeadLetter: (message, reason) => engine.handleDeadLetter(message, reason),
          concurrency: QUEUE_SETTINGS.maxConcurrentCalls,
        }),
      drainChecks: () =>
        checks.drain({
          handler: (message) => routeIncidentCheck(root, log, message, `local-${message.checkId}`),
          onDeadLetter: (message, reason) => Promise.resolve(log.error("incident check dead-lettered", { checkId: message.checkId, reason })),
          concurrency: QUEUE_SETTINGS.maxConcurrentCalls,
        }),
      drainNotifications: (drainOptions = {}) => {
        const worker = notificationService.workerFor(log);
        return notifications.drain({
          handler: (message) => worker.handle(message),
          onDeadLetter:
            drainOptions.onDeadLetter ??
            ((message, reason) => Promise.resolve(log.error("notification dead-lettered", { eventId: message.event.id, channel: message.channel, reason }))),
          concurrency: QUEUE_SETTINGS.maxConcurrentCalls,
        });
      },
      stop: async () => {
        await Promise.allSettled(opened.map((n) => n.stop()));
      },
    };
  } catch (error) {
    // A stack that cannot start leaves no Service Bus peer running.
    await Promise.allSettled(opened.map((n) => n.stop()));
    throw error;
  }
}

const queueSettings = { maxDeliveryCount: QUEUE_SETTINGS.maxDeliveryCount, duplicateWindowMs: QUEUE_SETTINGS.duplicateWindowMs } as const;

/** ACS e-mail locally needs a credential only when a test points it at a receiver. */
const noEmailCredential: TokenCredential = { getToken: () => Promise.reject(new Error("no credential for ACS e-mail in this local stack")) };
