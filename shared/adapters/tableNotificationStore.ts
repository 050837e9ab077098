import { odata } from "@azure/data-tables";
import { STATE_TABLES } from "../config/names.js";
import { DrError } from "../ports/errors.js";
import type { ChannelHealthRecord, ChannelOutcome, DeliveryRecord, NotificationStore } from "../ports/notificationStore.js";
import { callAzure } from "./azureErrors.js";
import { absentWhenEmpty, emptyWhenAbsent, openTable, readRow, type StateTablesOptions, type TableRow } from "./stateTables.js";

export const NOTIFICATION_TABLE_NAMES = { channelHealth: STATE_TABLES.channelHealth, deliveries: STATE_TABLES.notificationDeliveries } as const;
const CHANNELS_PARTITION = "channels";
const MAX_HEALTH_UPDATES = 20;
/** Keeps a row well below Table Storage's 64 KiB per string property. */
const MAX_ERROR_CHARS = 1_000;

/**
 * Notification state in Table Storage: `notificationDeliveries` (partition = run id, row = event id
 * and channel: one row per (event, channel), so a run's notifications are listed with one query)
 * and `channelHealth` (one row per channel, updated under its ETag by concurrent workers).
 */
export async function createTableNotificationStore(options: StateTablesOptions): Promise<NotificationStore> {
  const [health, deliveries] = await Promise.all([
    openTable(options, NOTIFICATION_TABLE_NAMES.channelHealth),
    openTable(options, NOTIFICATION_TABLE_NAMES.deliveries),
  ]);

  return {
    async getDelivery(runId, eventId, channel) {
      const entity = await readRow(deliveries, tableKey(runId), tableKey(`${eventId}|${channel}`));
      return entity && toDelivery(entity);
    },

    async putDelivery(record) {
      const entity: TableRow = {
        partitionKey: tableKey(record.runId),
        rowKey: tableKey(`${record.eventId}|${record.channel}`),
        runId: record.runId,
        eventId: record.eventId,
        kind: record.kind,
        channel: record.channel,
        status: record.status,
        attempts: record.attempts,
        updatedAt: record.updatedAt,
        lastError: (record.lastError ?? "").slice(0, MAX_ERROR_CHARS),
        nextAttemptAt: record.nextAttemptAt ?? "",
      };
      await callAzure(`write delivery ${record.eventId}/${record.channel}`, () => deliveries.upsertEntity(entity, "Replace"));
    },

    async listDeliveries(runId) {
      const found: DeliveryRecord[] = [];
      const query = deliveries.listEntities<TableRow>({ queryOptions: { filter: odata`PartitionKey eq ${tableKey(runId)}` } });
      for await (const entity of query) found.push(toDelivery(entity));
      return found.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.eventId.localeCompare(b.eventId) || a.channel.localeCompare(b.channel));
    },

    async recordChannelOutcome(channel, outcome) {
      for (let attempt = 0; attempt < MAX_HEALTH_UPDATES; attempt++) {
        const entity = await readRow(health, CHANNELS_PARTITION, tableKey(channel));
        const next = applyOutcome(entity ? toHealth(entity) : { channel, consecutiveFailures: 0, totalFailures: 0, delivered: 0 }, outcome);
        try {
          if (entity) await callAzure(`update health of ${channel}`, () => health.updateEntity(fromHealth(next), "Replace", { etag: entity.etag }));
          else await callAzure(`create health of ${channel}`, () => health.createEntity(fromHealth(next)));
          return next;
        } catch (error) {
          // Another worker counted its outcome in between: read again and count ours on top.
          if (error instanceof DrError && (error.code === "PreconditionFailed" || error.code === "Conflict")) continue;
          throw error;
        }
      }
      throw new DrError("Conflict", `health of channel ${channel}: too much contention`);
    },

    async listChannelHealth() {
      const found: ChannelHealthRecord[] = [];
      const query = health.listEntities<TableRow>({ queryOptions: { filter: odata`PartitionKey eq ${CHANNELS_PARTITION}` } });
      for await (const entity of query) found.push(toHealth(entity));
      return found.sort((a, b) => a.channel.localeCompare(b.channel));
    },
  };
}

function applyOutcome(current: ChannelHealthRecord, outcome: ChannelOutcome): ChannelHealthRecord {
  if (outcome.ok) return { ...current, consecutiveFailures: 0, delivered: current.delivered + 1, lastSuccessAt: outcome.at, lastEventId: outcome.eventId };
  return {
    ...current,
    consecutiveFailures: current.consecutiveFailures + 1,
    totalFailures: current.totalFailures + 1,
    lastFailureAt: outcome.at,
    lastError: outcome.error.slice(0, MAX_ERROR_CHARS),
    lastEventId: outcome.eventId,
  };
}

/** Channel health columns that stay empty until the first success or failure. */
const HEALTH_OPTIONAL = ["lastSuccessAt", "lastFailureAt", "lastError", "lastEventId"] as const;

function fromHealth(h: ChannelHealthRecord): TableRow {
  return {
    partitionKey: CHANNELS_PARTITION,
    rowKey: tableKey(h.channel),
    channel: h.channel,
    consecutiveFailures: h.consecutiveFailures,
    totalFailures: h.totalFailures,
    delivered: h.delivered,
    ...emptyWhenAbsent(h, HEALTH_OPTIONAL),
  };
}

function toHealth(e: TableRow): ChannelHealthRecord {
  return {
    channel: String(e.channel),
    consecutiveFailures: Number(e.consecutiveFailures),
    totalFailures: Number(e.totalFailures),
    delivered: Number(e.delivered),
    ...absentWhenEmpty(e, HEALTH_OPTIONAL),
  };
}

function toDelivery(e: TableRow): DeliveryRecord {
  return {
    runId: String(e.runId),
    eventId: String(e.eventId),
    kind: String(e.kind),
    channel: String(e.channel),
    status: e.status as DeliveryRecord["status"],
    attempts: Number(e.attempts),
    updatedAt: String(e.updatedAt),
    ...absentWhenEmpty(e, ["lastError", "nextAttemptAt"]),
  };
}

/** Table keys may not hold / \ # ? or control characters: those (and %) are percent-encoded. */
export function tableKey(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[/\\#?%\u0000-\u001f\u007f-\u009f]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0").toUpperCase()}`);
}
