import { createAlertService } from "../incidents/alertService.js";
import type { AppRoot } from "./appRoot.js";
import { createTokenVerifier } from "../auth/tokenVerifier.js";
import type { AppConfig } from "../config/loadConfig.js";
import { STATE_TABLES } from "../config/names.js";
import type { Estate } from "../domain/estate.js";
import type { NotificationChannelState } from "../domain/health/healthSnapshot.js";
import { createDrillCleanup } from "../runs/drillCleanup.js";
import { createEngine, type Engine } from "../runs/engine.js";
import { runApiSettings } from "../runs/runApi.js";
import { createRunControl } from "../runs/runControl.js";
import { healthCheckRootFrom } from "../health/healthCheckRoot.js";
import { withHealthCheckUrgency } from "../health/healthCheckUrgency.js";
import { readLeftoverTestVms } from "../health/readLeftoverTestVms.js";
import { createRunHistoryReader } from "../health/runHistoryReader.js";
import { createNotificationService } from "../notifications/notificationService.js";
import { parseNotificationSettings } from "../notifications/notificationSettings.js";
import type { Logger } from "../ports/logger.js";
import type { NotifierPort } from "../ports/notifier.js";
import { createAzurePorts } from "../adapters/azurePorts.js";
import { createHealthPorts } from "../adapters/healthPorts.js";
import type { Infrastructure } from "../adapters/infrastructure.js";
import { createNotificationChannels } from "../adapters/notificationChannels.js";
import { openTable } from "../adapters/stateTables.js";
import { createTableAuditLog } from "../adapters/tableAuditLog.js";
import { createTableHealthHistory } from "../adapters/tableHealthHistory.js";
import { createTableIdempotencyStore } from "../adapters/tableIdempotencyStore.js";
import { createTableIncidentStore } from "../adapters/tableIncidentStore.js";
import { createTableNotificationStore } from "../adapters/tableNotificationStore.js";
import { createTableRunStore } from "../adapters/tableRunStore.js";

/**
 * The one wiring of the product: the Function App (createAzureInfrastructure) and every local host
 * (local/localStack.ts) call this, so a setting or a dependency is added here once and the
 * production wiring is what the tests run.
 */
export async function buildAppRoot(config: AppConfig, estate: Estate, infra: Infrastructure): Promise<AppRoot> {
  const { clock, tables } = infra;
  const armOptions = {
    credential: infra.azure.credential,
    subscriptionId: estate.subscriptionId,
    ...optional("httpClient", infra.azure.httpClient),
    ...optional("retryOptions", infra.azure.retryOptions),
  };
  const ports = createAzurePorts({ ...armOptions, clock });
  const health = createHealthPorts({ ...armOptions, clock, ...optional("pause", infra.local?.healthPause) });
  const [runs, incidentsTable, auditTable, idempotencyTable, healthHistory, notificationStore] = await Promise.all([
    createTableRunStore(tables),
    openTable(tables, STATE_TABLES.incidents),
    openTable(tables, STATE_TABLES.audit),
    openTable(tables, STATE_TABLES.idempotency),
    createTableHealthHistory(tables),
    createTableNotificationStore(tables),
  ]);
  const audit = createTableAuditLog({ table: auditTable, estate: estate.name, ...optional("copy", infra.auditCopy) });
  const incidents = createTableIncidentStore({ table: incidentsTable });
  const verifyToken = createTokenVerifier(infra.verifier);
  const local = infra.local ?? {};
  const tuning = local.notificationTuning ?? {};
  const notificationSettings = parseNotificationSettings(config);
  const notifications = createNotificationService({
    settings: notificationSettings,
    queue: infra.queues.notifications,
    store: notificationStore,
    channels: createNotificationChannels(notificationSettings, {
      credential: infra.notifications.credential,
      clock: infra.notifications.clock,
      ...optional("timeoutMs", infra.notifications.timeoutMs),
      ...optional("emailHttpClient", infra.notifications.emailHttpClient),
    }),
    clock: infra.notifications.clock,
    ...tuning,
  });
  const deliver = local.notifierFor ?? ((log: Logger) => notifications.notifierFor(log));
  const onEvent = local.onEvent;
  const notifierFor = onEvent
    ? (log: Logger): NotifierPort => {
        const inner = deliver(log);
        return { notify: (event) => (onEvent(event), inner.notify(event)) };
      }
    : deliver;
  const settings = runApiSettings(config);
  const drillCleanupFor = (log: Logger, engine: Engine) =>
    createDrillCleanup({
      estate,
      store: runs,
      checks: infra.queues.checks,
      clock,
      audit,
      log,
      engine,
      siteRecovery: ports.siteRecovery,
      graceMinutes: settings.drill.cleanupAfterMinutes,
    });
  const engineFor = (log: Logger): Engine => {
    const engine: Engine = createEngine({
      estate,
      store: runs,
      queue: infra.queues.steps,
      clock,
      ...ports,
      probe: infra.probe,
      directory: infra.directory,
      notifier: notifierFor(log),
      log,
      audit,
      ...optional("timing", local.engineTiming),
      ...optional("boundary", local.boundary),
      onRunEnd: (run) => drillCleanupFor(log, engine).schedule(run),
    });
    return engine;
  };
  const channelStates = async (): Promise<NotificationChannelState[]> =>
    (await notifications.getChannelHealth()).map((c) => ({
      channel: c.channel,
      state: c.state,
      ...(c.problems.length > 0 ? { detail: c.problems.join("; ") } : c.lastError ? { detail: c.lastError } : {}),
    }));
  const runHistory = createRunHistoryReader({ store: runs, estate });
  return {
    estate,
    clock,
    runs,
    audit,
    verifyToken,
    alertAuth: config.ALERT_AUTH_MODE === "key" ? { kind: "key", key: config.ALERT_WEBHOOK_KEY } : { kind: "entra", verify: verifyToken },
    notifications,
    engineFor,
    alertsFor: (log) =>
      withHealthCheckUrgency(
        createAlertService({
          estate,
          incidents,
          runs,
          audit,
          // Built when a start needs it: almost every alert is answered without one.
          engine: { startRun: (...args) => engineFor(log).startRun(...args) },
          siteRecovery: ports.siteRecovery,
          checks: infra.queues.checks,
          notifier: notifierFor(log),
          clock,
          log,
          monitor: health.monitor,
          resourceHealth: health.resourceHealth,
          ...optional("boundary", local.boundary),
        }),
        { estate, checks: infra.queues.checks, log },
      ),
    runApi: {
      reads: {
        siteRecovery: ports.siteRecovery,
        dns: ports.dns,
        routes: ports.routes,
        capacity: { asr: health.asr, compute: health.capacity },
        latestHealthReport: async () => {
          const latest = (await healthHistory.list(estate.name, 1))[0];
          return latest ? healthHistory.get(estate.name, latest.reportId) : undefined;
        },
      },
      idempotency: createTableIdempotencyStore({ table: idempotencyTable, estate: estate.name }),
      settings,
      drillCleanupFor: (log) => drillCleanupFor(log, engineFor(log)),
      runControlFor: (log) => {
        const engine = engineFor(log);
        return createRunControl({
          estate,
          store: runs,
          queue: infra.queues.steps,
          clock,
          audit,
          log,
          engine,
          siteRecovery: ports.siteRecovery,
          separateApprover: settings.separateApprover,
          drillCleanup: drillCleanupFor(log, engine),
          cleanupGraceMinutes: settings.drill.cleanupAfterMinutes,
        });
      },
      latestHealth: async () => (await healthHistory.list(estate.name, 1))[0],
    },
    healthCheck: healthCheckRootFrom(
      (log) => ({
        estate,
        readers: {
          ...health,
          ...(local.healthWithout?.includes("runHistory") ? {} : { runHistory }),
          ...(local.healthWithout?.includes("notificationChannels") ? {} : { notificationChannels: channelStates }),
        },
        history: healthHistory,
        notifier: notifierFor(log),
        clock,
        log,
        ...optional("limits", local.healthLimits),
      }),
      healthHistory,
      () => readLeftoverTestVms(estate, health.asr),
    ),
  };
}

/** `{ [key]: value }` when the value is there, `{}` when not: optional properties stay absent. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
