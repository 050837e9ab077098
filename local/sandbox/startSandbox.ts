import { CONFIG_KEYS } from "../../shared/config/loadConfig.js";
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { HTTP_ROUTES } from "../../shared/host/http/routes.js";
import { handleHealthCheckTimer, HEALTH_CHECK_FUNCTION } from "../../shared/host/triggers/healthCheck.js";
import { handleIncidentCheck } from "../../shared/host/triggers/incidentChecks.js";
import { handleScheduledDrill, SCHEDULED_DRILL_FUNCTION } from "../../shared/host/triggers/scheduledDrill.js";
import type { BoundaryHook } from "../../shared/runs/engineDeps.js";
import { useAppRoot } from "../../shared/root/appRoot.js";
import type { Estate } from "../../shared/domain/estate.js";
import type { Logger } from "../../shared/ports/logger.js";
import type { RunEvent } from "../../shared/ports/notifier.js";
import { startAzurite } from "../azurite.js";
import { createDevIdentity, type DevIdentity } from "../devIdentity.js";
import { createLocalStack, type LocalStack } from "../localStack.js";
import type { LocalQueue } from "../serviceBus/localServiceBus.js";
import type { FaultPlan } from "../simulated-azure/simulatedAzure.js";
import { createHttpHost, type AdminFunction, type AdminRead } from "./httpHost.js";
import { persistQueues, type QueueStateFile } from "./queueStateFile.js";
import { createSandboxSignIn } from "./sandboxSignIn.js";
import { readSandboxState, saveAzurePeriodically, saveIdentity, STATE_TABLE_PREFIX, type SandboxState } from "./sandboxState.js";

/** The app settings a sandbox takes from its environment: where notifications go (docs/notifications.md). */
const NOTIFICATION_SETTINGS = CONFIG_KEYS.filter((key) => key === "RUN_PAGE_BASE_URL" || key.startsWith("NOTIFY_"));

export interface SandboxOptions {
  readonly estate: Estate;
  readonly port: number;
  readonly alertAuth: "entra" | "key";
  readonly faults?: FaultPlan;
  readonly log: (line: string) => void;
  /** Table Storage endpoint to use instead of starting Azurite (tests share one). */
  readonly tableEndpoint?: string;
  /** App settings other than the local defaults, named as in Azure (APPROVAL_SEPARATE_APPROVER, DRILL_SCOPE, AUTH_APP_SERVICE_PRINCIPAL...). */
  readonly settings?: Readonly<Record<string, string>>;
  /** Crash hook of the engine and the alert path (tests only). */
  readonly boundary?: BoundaryHook;
  /**
   * Keep everything in this directory (sandboxState.ts): Azurite's data, the queues, simulated Azure and
   * its clock, the keys. A sandbox started again on it resumes the runs in flight, as Azure would.
   */
  readonly stateDir?: string;
  /**
   * Browsers sign in as App Service authentication would sign them in (sandboxSignIn.ts: /.auth/*, a
   * session cookie turned into x-ms-client-principal, AUTH_APP_SERVICE_PRINCIPAL=trust). Sandbox only.
   */
  readonly browserSignIn?: boolean;
}

/** What a sandbox found in its state directory when it started. */
export interface ResumedState {
  readonly dir: string;
  readonly runs: number;
  readonly runsInFlight: number;
  /** Messages in the queues and their dead-letter queues. */
  readonly messages: number;
}

/** The sandbox's queues, each drained by its Service Bus-triggered function. */
const SANDBOX_QUEUES = ["steps", "checks", "notifications"] as const;
export type SandboxQueue = (typeof SANDBOX_QUEUES)[number];

export interface Sandbox {
  readonly url: string;
  /** The host's master key: /admin/functions/* calls present it in x-functions-key. */
  readonly masterKey: string;
  readonly identity: DevIdentity;
  /** The product's root and the local services under it. */
  readonly stack: LocalStack;
  readonly events: readonly RunEvent[];
  /** Set when a state directory held an earlier sandbox's state. */
  readonly resumed: ResumedState | undefined;
  /** With `browserSignIn`: the URL that signs a browser in with these roles and opens `then` (default: the console). */
  signInUrl(roles: readonly string[], then?: string): string;
  /**
   * Holds the named queues: what is sent to them from now on waits, undelivered, until `release` is
   * called. A bench measuring the HTTP functions on the host's one thread holds the queues whose
   * functions run on other instances in Azure; the queues not named keep flowing.
   */
  holdQueues(queues: readonly SandboxQueue[]): { release(): void };
  /** Resolves once no message of a queue not held is queued or being handled. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The product's handlers behind an HTTP server on 127.0.0.1, as the Functions host would serve them,
 * over simulated Azure, Azurite and queues on the local Service Bus peer that background pumps deliver.
 */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const state = options.stateDir === undefined ? undefined : await readSandboxState(options.stateDir);
  const azurite = options.tableEndpoint ? undefined : await startAzurite("table", state ? { location: state.azuriteLocation } : {});
  const tableEndpoint = options.tableEndpoint ?? azurite?.tableEndpoint ?? "";
  const events: RunEvent[] = [];
  const log: Logger = {
    info: (message, p = {}) => {
      if (message === "alert decided" || message === "incident check decided" || message === "run started" || message === "run succeeded")
        options.log(`${message} ${JSON.stringify(p)}`);
    },
    warn: (message, p = {}) => options.log(`warn: ${message} ${JSON.stringify(p)}`),
    error: (message, p = {}) => options.log(`error: ${message} ${JSON.stringify(p)}`),
  };
  const partial: { stack?: LocalStack; queueState?: QueueStateFile } = {};
  const { stack, identity, queueState } = await wireHandlers().catch(async (error: unknown) => {
    // A sandbox that cannot start leaves nothing running: no Service Bus peer, no Azurite.
    partial.queueState?.stop();
    await partial.stack?.stop();
    await azurite?.stop();
    throw error;
  });

  /** The product's one root over the local services, installed for the handlers as the Function App builds it. */
  async function wireHandlers(): Promise<{ stack: LocalStack; identity: DevIdentity; queueState: QueueStateFile | undefined }> {
    const identity = await createDevIdentity(state?.identity);
    const notificationSettings = Object.fromEntries(NOTIFICATION_SETTINGS.map((key) => [key, process.env[key]]));
    const stack = (partial.stack = await createLocalStack({
      estate: options.estate,
      tableEndpoint,
      log,
      identity,
      settings: {
        ALERT_AUTH_MODE: options.alertAuth,
        ...(options.browserSignIn ? { AUTH_APP_SERVICE_PRINCIPAL: "trust" } : {}),
        ...notificationSettings,
        ...options.settings,
      },
      // Run events go through the production notification path (queue, worker, channels from NOTIFY_* settings).
      onEvent: (event) => void events.push(event),
      ...(options.faults ? { faults: options.faults } : {}),
      ...(options.boundary ? { boundary: options.boundary } : {}),
      ...(state ? { tablePrefix: STATE_TABLE_PREFIX } : {}),
      // Simulated Azure and its clock carry on from where they were saved: jobs keep running by the clock.
      ...(state?.azure ? { azureState: state.azure, start: new Date(state.azure.clock) } : {}),
    }));
    useAppRoot(stack.root);
    // Before any delivery: the saved messages go back into the (empty) queues, then every change is saved.
    const queueState = state
      ? (partial.queueState = await persistQueues(state.queuesFile, [stack.queue, stack.checks, stack.notifications] as LocalQueue<unknown>[], saveFailed))
      : undefined;
    return { stack, identity, queueState };
  }

  function saveFailed(error: unknown): void {
    options.log(`warn: saving the sandbox state failed: ${error instanceof Error ? error.message : String(error)}`);
  }

  const masterKey = state?.identity?.masterKey ?? randomBytes(32).toString("base64url");
  const resumed = state
    ? await describeResume(state, stack, identity, masterKey, queueState?.restoredMessages ?? 0).catch(async (error: unknown) => {
        queueState?.stop();
        await stack.stop();
        await azurite?.stop();
        throw error;
      })
    : undefined;
  const azureSaver = state ? saveAzurePeriodically(state, stack.azure, saveFailed) : undefined;
  const held = new Set<SandboxQueue>();
  const queued: Record<SandboxQueue, () => number> = {
    steps: () => stack.queue.size,
    checks: () => stack.checks.size,
    notifications: () => stack.notifications.size,
  };
  const drains: Record<SandboxQueue, () => Promise<void>> = {
    steps: () => stack.drain(),
    checks: () => stack.drainChecks(),
    notifications: () => stack.drainNotifications(),
  };
  const pumps = Object.fromEntries(SANDBOX_QUEUES.map((q) => [q, pump(drains[q], () => !held.has(q) && queued[q]() > 0)])) as Record<SandboxQueue, Pump>;
  const allPumps = Object.values(pumps);
  const ticker = setInterval(() => allPumps.forEach((p) => p.kick()), 25);
  const admin: AdminFunction[] = [
    { name: "incidentCheck", invoke: (input, context) => handleIncidentCheck(input, context) },
    { name: SCHEDULED_DRILL_FUNCTION, invoke: async (_input, context) => void (await handleScheduledDrill(firedTimer(stack.clock.now()), context)) },
    { name: HEALTH_CHECK_FUNCTION, invoke: (_input, context) => handleHealthCheckTimer(firedTimer(stack.clock.now()), context) },
  ];
  const reads: AdminRead[] = [
    // Not a Functions host endpoint: what simulated Azure was asked, for tests and people checking a resumed run.
    { name: "simulated-azure/stats", read: () => stack.azure.stats() },
  ];
  const signIn = options.browserSignIn ? createSandboxSignIn(masterKey) : undefined;
  const server = createHttpHost(HTTP_ROUTES, admin, options.log, masterKey, reads, signIn);
  await new Promise<void>((resolve) => server.listen(options.port, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    signInUrl(roles, then = "/api/console") {
      if (!signIn) throw new Error("the sandbox was started without browserSignIn");
      return signIn.signInUrl(url, roles, then);
    },
    masterKey,
    identity,
    stack,
    events,
    resumed,
    holdQueues(queues) {
      // A drain already running would deliver what is sent while it runs.
      const draining = queues.find((q) => pumps[q].running !== undefined);
      if (draining) throw new Error(`the ${draining} queue is being drained: hold it before anything is sent to it`);
      queues.forEach((q) => held.add(q));
      return {
        release: () => {
          queues.forEach((q) => held.delete(q));
          queues.forEach((q) => pumps[q].kick());
        },
      };
    },
    async idle() {
      for (;;) {
        allPumps.forEach((p) => p.kick());
        await Promise.all(allPumps.map((p) => p.running ?? Promise.resolve()));
        const flowing = SANDBOX_QUEUES.filter((q) => !held.has(q));
        if (flowing.every((q) => queued[q]() === 0) && allPumps.every((p) => !p.running)) return;
      }
    },
    /** Stops between deliveries: a run in flight stays in its tables and queue as a host shutdown leaves it. */
    async stop() {
      clearInterval(ticker);
      await closeServer(server);
      await stack.stop();
      await Promise.allSettled(allPumps.map((p) => p.running ?? Promise.resolve()));
      // Last, after every handler has settled its message: the state a restart resumes from.
      azureSaver?.stop();
      queueState?.stop();
      await Promise.allSettled([azureSaver?.flush(), queueState?.flush()]);
      await azurite?.stop();
    },
  };
}

/**
 * Saves the keys (so tokens issued before a restart stay valid) and what the state directory resumes:
 * the runs its tables hold and the messages its queues hold.
 */
async function describeResume(
  state: SandboxState,
  stack: LocalStack,
  identity: DevIdentity,
  masterKey: string,
  messages: number,
): Promise<ResumedState | undefined> {
  await saveIdentity(state, identity, masterKey);
  if (!state.azure) return undefined;
  const runs = await stack.store.listRuns(stack.estate.name);
  return { dir: state.dir, runs: runs.length, runsInFlight: runs.filter((r) => r.status === "running").length, messages };
}

/** The Timer a manual fire through the admin API hands the function (the host's shape). */
function firedTimer(now: Date): {
  isPastDue: boolean;
  schedule: { adjustForDST: boolean };
  scheduleStatus: { last: string; next: string; lastUpdated: string };
} {
  const at = now.toISOString();
  return { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: at, next: at, lastUpdated: at } };
}

interface Pump {
  kick(): void;
  running: Promise<void> | undefined;
}

/** Runs `drain` whenever kicked and work is waiting, one drain at a time. */
function pump(drain: () => Promise<void>, hasWork: () => boolean): Pump {
  const state: Pump = {
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
