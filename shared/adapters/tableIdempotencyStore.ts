import { STATE_TABLES } from "../config/names.js";
import type { TableClient } from "@azure/data-tables";
import { createHash } from "node:crypto";
import { DrError } from "../ports/errors.js";
import type { IdempotencyRecord, IdempotencyStore } from "../ports/idempotency.js";
import { callAzure } from "./azureErrors.js";
import { releaseRow } from "./stateTables.js";

export const IDEMPOTENCY_TABLE = STATE_TABLES.idempotency;
/** Racing callers re-read at most this often before the request is answered with a retryable error. */
const CLAIM_ATTEMPTS = 5;

/**
 * Idempotency keys in the `idempotency` table: partition = estate, row key = SHA-256 of the scoped
 * key (callers' keys may hold characters a row key cannot). The first writer wins and everyone
 * else reads what it stored; an expired record is replaced under its ETag, so of two callers
 * reviving the same key only one does.
 */
export function createTableIdempotencyStore({ table, estate }: { table: TableClient; estate: string }): IdempotencyStore {
  const rowKey = (key: string): string => createHash("sha256").update(key).digest("hex");
  return {
    async claim(record, expiredBefore) {
      const entity = { partitionKey: estate, rowKey: rowKey(record.key), ...record };
      for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
        try {
          await callAzure("claim idempotency key", () => table.createEntity(entity));
          return { created: true, record };
        } catch (error) {
          if (!(error instanceof DrError && error.code === "Conflict")) throw error;
        }
        let stored: IdempotencyRecord & { etag: string };
        try {
          stored = await callAzure("read idempotency key", () => table.getEntity<IdempotencyRecord>(estate, entity.rowKey));
        } catch (error) {
          if (error instanceof DrError && error.code === "NotFound") continue; // released in between: claim again
          throw error;
        }
        const found: IdempotencyRecord = { key: stored.key, fingerprint: stored.fingerprint, runId: stored.runId, createdAt: stored.createdAt };
        if (Date.parse(found.createdAt) >= expiredBefore.getTime()) return { created: false, record: found };
        try {
          await callAzure("renew idempotency key", () => table.updateEntity(entity, "Replace", { etag: stored.etag }));
          return { created: true, record };
        } catch (error) {
          if (!(error instanceof DrError && (error.code === "PreconditionFailed" || error.code === "NotFound"))) throw error;
          // another caller renewed or released it first: look again
        }
      }
      throw new DrError("Transient", `idempotency key ${record.key}: claimed, renewed or released by others ${CLAIM_ATTEMPTS} times in a row; try again`);
    },
    release: (key, runId) => releaseRow(table, estate, rowKey(key), (stored) => stored.runId === runId, "idempotency key"),
  };
}
