import type { TableClient } from "@azure/data-tables";
import { randomBytes } from "node:crypto";
import type { AuditEntry, AuditLog } from "../ports/auditLog.js";
import { callAzure } from "./azureErrors.js";
import { escapeOData } from "./stateTables.js";

/** Row keys sort newest first: the distance to the year 9999, then a random suffix. */
const END_OF_TIME = Date.parse("9999-12-31T23:59:59.999Z");

/**
 * Append-only audit in the `audit` table, one partition per estate. Entries are only ever
 * created (never upserted), so a row, once written, is what happened.
 */
export function createTableAuditLog({ table, estate }: { table: TableClient; estate: string }): AuditLog {
  return {
    async append(entry) {
      const rowKey = `${String(END_OF_TIME - Date.parse(entry.at)).padStart(15, "0")}-${randomBytes(4).toString("hex")}`;
      await callAzure("append audit entry", () => table.createEntity({ partitionKey: estate, rowKey, ...entry }));
    },
    async list(filter = {}) {
      const conditions = [`PartitionKey eq '${escapeOData(estate)}'`];
      if (filter.runId) conditions.push(`runId eq '${escapeOData(filter.runId)}'`);
      if (filter.incidentId) conditions.push(`incidentId eq '${escapeOData(filter.incidentId)}'`);
      const entries: AuditEntry[] = [];
      const pages = table.listEntities<AuditEntry & { partitionKey: string; rowKey: string }>({ queryOptions: { filter: conditions.join(" and ") } });
      for await (const e of pages) {
        entries.push({
          at: e.at,
          who: e.who,
          action: e.action,
          result: e.result,
          ...(e.runId ? { runId: e.runId } : {}),
          ...(e.incidentId ? { incidentId: e.incidentId } : {}),
          ...(e.alertId ? { alertId: e.alertId } : {}),
          ...(e.detail ? { detail: e.detail } : {}),
        });
        if (filter.limit !== undefined && entries.length >= filter.limit) break;
      }
      return entries;
    },
  };
}
