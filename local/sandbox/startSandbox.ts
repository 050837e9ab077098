import type { Timer } from "@azure/functions";
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { handleHealthCheckTimer, HEALTH_CHECK_FUNCTION } from "../../functions/healthCheck.js";
import { handleIncidentCheck } from "../../functions/incidentCheck.js";
import { alertsHttp } from "../../functions/alerts.js";
import { runsHttp } from "../../functions/runs.js";
import { auditHttp } from "../../functions/audit.js";
import { failoverHttp } from "../../functions/failover.js";
import { killSwitchHttp } from "../../functions/killSwitch.js";
import { runActionsHttp } from "../../functions/runActions.js";
import { handleScheduledDrill, SCHEDULED_DRILL_FUNCTION } from "../../functions/scheduledDrill.js";
import type { RunApiSettings } from "../../shared/engine/runApi.js";
import { useAppRoot } from "../../shared/appRoot.js";
import { useHealthCheckRoot } from "../../shared/health/healthCheckRoot.js";
import { createLocalHealthCheck } from "../healthcheck.js";
import { createLocalNotifications } from "../localNotifications.js";
import { SimulatedClock } from "../simulatedClock.js";
import type { Estate } from "../../shared/domain/estate.js";
import type { Logger } from "../../shared/ports/logger.js";
import type { NotifierPort, RunEvent } from "../../shared/ports/notifier.js";
import { startAzurite } from "../azurite.js";
import { createDevIdentity, type DevIdentity } from "../devIdentity.js";
import { createLocalStack, type LocalStack } from "../localStack.js";
import { buildLocalRoot, type LocalRoot } from "../localRoot.js";
import type { FaultPlan } from "../simulated-azure/simulatedAzure.js";
import { createHttpHost, type AdminFunction, type HttpRoute } from "./httpHost.js";

export interface SandboxOptions {
  readonly estate: Estate;
  readonly port: number;
  readonly alertAuth: "entra" | "key";
  readonly faults?: FaultPlan;
  readonly log: (line: string) => void;
  /** Table Storage endpoint to use instead of starting Azurite (tests share one). */
  readonly tableEndpoint?: string;
  /** Run API settings other than the local defaults (approver rule, drill scope, App Service principal). */
  readonly runApi?: Partial<RunApiSettings>;
}

export interface Sandbox {
  readonly url: string;
  /** The host's master key: /admin/functions/* calls present it in x-functions-key. */
  readonly masterKey: string;
  readonly identity: DevIdentity;
  readonly stack: LocalStack;
  readonly local: LocalRoot;
  readonly events: readonly RunEvent[];
  /** Resolves once no step or check is queued or running. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const ROUTES: readonly HttpRoute[] = [
  { name: "alerts", ...alertsHttp },
  { name: "listRuns", ...runsHttp.listRuns },
  { name: "getRun", ...runsHttp.getRun },
  { name: "getRunReportPage", ...runsHttp.getRunReportPage },
  { name: "failover", ...failoverHttp },
  ...Object.entries(runActionsHttp).map(([name, route]) => ({ name, ...route })),
  { name: "listAudit", ...auditHttp },
  { name: "killSwitch", ...killSwitchHttp.killSwitch },
  { name: "approveIncident", ...killSwitchHttp.approveIncident },
];

/**
 * The product's handlers behind an HTTP server on 127.0.0.1, as the Functions host would serve them,
 * over simulated Azure, Azurite and queues on the local Service Bus peer that background pumps deliver.
 */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const azurite = options.tableEndpoint ? undefined : await startAzurite();
  const tableEndpoint = options.tableEndpoint ?? azurite?.tableEndpoint ?? "";
  const events: RunEvent[] = [];
  const log: Logger = {
    info: (message, p = {}) => {
      if (message === "alert decided" || message === "incident check decided" || message === "run started" || message === "run succeeded") options.log(`${message} ${JSON.stringify(p)}`);
    },
    warn: (message, p = {}) => options.log(`warn: ${message} ${JSON.stringify(p)}`),
    error: (message, p = {}) => options.log(`error: ${message} ${JSON.stringify(p)}`),
  };
  // Run events go through the production notification path (queue, worker, channels from NOTIFY_* settings).
  const notifications = await createLocalNotifications({ config: process.env, tableEndpoint, clock: new SimulatedClock(new Date()) }).catch(async (error: unknown) => {
    await azurite?.stop();
    throw error;
  });
  const notifier: NotifierPort = {
    notify: async (event) => {
      events.push(event);
      await notifications.service.notifierFor(log).notify(event);
    },
  };
  const partial: { stack?: LocalStack } = {};
  const { stack, identity, local } = await wireHandlers().catch(async (error: unknown) => {
    // A sandbox that cannot start leaves nothing running: no Service Bus peer, no Azurite.
    await Promise.allSettled([notifications.stop(), partial.stack?.stop()]);
    await azurite?.stop();
    throw error;
  });

  /** The engine's stack and the roots the handlers use, as the Function App builds them. */
  async function wireHandlers(): Promise<{ stack: LocalStack; identity: DevIdentity; local: LocalRoot }> {
    const stack = (partial.stack = await createLocalStack({ estate: options.estate, tableEndpoint, log, notifier, ...(options.faults ? { faults: options.faults } : {}) }));
    const identity = await createDevIdentity();
    const local = await buildLocalRoot({ stack, tableEndpoint, tablePrefix: stack.tablePrefix, identity, alertAuth: options.alertAuth, notifier, log, ...(options.runApi ? { runApi: options.runApi } : {}) });
    useAppRoot(local.root);
    const health = await createLocalHealthCheck({ estate: options.estate, tableEndpoint, tablePrefix: stack.tablePrefix, azure: stack.azure, clock: stack.clock, notifier, runStore: stack.store });
    useHealthCheckRoot(health.root);
    return { stack, identity, local };
  }

  const pumps = [
    pump(() => stack.drain(), () => stack.queue.size > 0),
    pump(() => local.drainChecks(), () => local.checks.size > 0),
    pump(() => notifications.drain(log), () => notifications.queue.size > 0),
  ];
  const ticker = setInterval(() => pumps.forEach((p) => p.kick()), 25);
  const admin: AdminFunction[] = [
    { name: "incidentCheck", invoke: (input, context) => handleIncidentCheck(input, context) },
    { name: SCHEDULED_DRILL_FUNCTION, invoke: async (_input, context) => void (await handleScheduledDrill(firedTimer(stack.clock.now()), context)) },
    { name: HEALTH_CHECK_FUNCTION, invoke: (_input, context) => handleHealthCheckTimer(firedTimer(stack.clock.now()), context) },
  ];
  const masterKey = randomBytes(32).toString("base64url");
  const server = createHttpHost(ROUTES, admin, options.log, masterKey);
  await new Promise<void>((resolve) => server.listen(options.port, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    masterKey,
    identity,
    stack,
    local,
    events,
    async idle() {
      for (;;) {
        pumps.forEach((p) => p.kick());
        await Promise.all(pumps.map((p) => p.running ?? Promise.resolve()));
        if (stack.queue.size === 0 && local.checks.size === 0 && notifications.queue.size === 0 && pumps.every((p) => !p.running)) return;
      }
    },
    /** Stops between deliveries: a run in flight stays in its tables and queue as a host shutdown leaves it. */
    async stop() {
      clearInterval(ticker);
      await closeServer(server);
      await Promise.all([stack.stop(), notifications.stop()]);
      await Promise.allSettled(pumps.map((p) => p.running ?? Promise.resolve()));
      await azurite?.stop();
    },
  };
}

/** The Timer a manual fire through the admin API hands the function (the host's shape). */
function firedTimer(now: Date): Timer {
  const at = now.toISOString();
  return { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: at, next: at, lastUpdated: at } };
}

/** Runs `drain` whenever kicked and work is waiting, one drain at a time. */
function pump(drain: () => Promise<void>, hasWork: () => boolean): { kick(): void; running: Promise<void> | undefined } {
  const state: { kick(): void; running: Promise<void> | undefined } = {
    running: undefined,
    kick() {
      if (state.running || !hasWork()) return;
      state.running = drain().finally(() => (state.running = undefined));
    },
  };
  return state;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
