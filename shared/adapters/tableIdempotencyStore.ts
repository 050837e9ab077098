import type { TableClient } from "@azure/data-tables";
import { createHash } from "node:crypto";
import { DrError } from "../ports/errors.js";
import type { IdempotencyRecord, IdempotencyStore } from "../ports/idempotency.js";
import { callAzure } from "./azureErrors.js";

export const IDEMPOTENCY_TABLE = "idempotency";

/**
 * Idempotency keys in the `idempotency` table: partition = estate, row key = SHA-256 of the scoped
 * key (callers' keys may hold characters a row key cannot). A key is created once and never
 * rewritten; the first writer wins and everyone else reads what it stored.
 */
export function createTableIdempotencyStore({ table, estate }: { table: TableClient; estate: string }): IdempotencyStore {
  const rowKey = (key: string): string => createHash("sha256").update(key).digest("hex");
  return {
    async claim(record) {
      try {
        await callAzure("claim idempotency key", () => table.createEntity({ partitionKey: estate, rowKey: rowKey(record.key), ...record }));
        return { created: true, record };
      } catch (error) {
        if (!(error instanceof DrError && error.code === "Conflict")) throw error;
      }
      const stored = await callAzure("read idempotency key", () => table.getEntity<IdempotencyRecord>(estate, rowKey(record.key)));
      return { created: false, record: { key: stored.key, fingerprint: stored.fingerprint, runId: stored.runId, createdAt: stored.createdAt } };
    },
    async release(key, runId) {
      try {
        const stored = await callAzure("read idempotency key", () => table.getEntity<IdempotencyRecord>(estate, rowKey(key)));
        if (stored.runId !== runId) return;
        await callAzure("release idempotency key", () => table.deleteEntity(estate, rowKey(key), { etag: stored.etag }));
      } catch (error) {
        if (!(error instanceof DrError && (error.code === "NotFound" || error.code === "PreconditionFailed"))) throw error;
      }
    },
  };
}
