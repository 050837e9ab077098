import { odata, type TableClient, type TransactionAction } from "@azure/data-tables";
import type { AuditCopy, AuditEntry, AuditLog } from "../ports/auditLog.js";
import { isDrError } from "../ports/errors.js";
import { chainEntry, GENESIS_HASH, verifyChain, type ChainedAuditEntry, type ChainReport } from "./auditChain.js";
import { callAzure } from "./azureErrors.js";
import { readRow } from "./stateTables.js";

/** The head row: last sequence number and hash of the partition's chain. Sorts after every entry row. */
const HEAD_ROW = "~head";
/** Row keys sort newest first: the distance of the sequence number to this one. */
const LAST_SEQ = 999_999_999_999_999;
/** Enough for a burst of concurrent writers (an alert storm): each round, one of them wins. */
const MAX_APPEND_ATTEMPTS = 200;

interface HeadRow {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly seq: number;
  readonly hash: string;
  readonly etag?: string;
}
type EntryRow = ChainedAuditEntry & { readonly partitionKey: string; readonly rowKey: string };

const entryRowKey = (seq: number): string => String(LAST_SEQ - seq).padStart(15, "0");

/**
 * Audit in the `audit` table, one partition per estate, as a hash chain (auditChain.ts): each entry
 * carries its sequence number, the previous entry's hash and its own. An append reads the head row
 * and, in one transaction, creates the entry and replaces the head on its ETag, so two writers at
 * once never fork the chain: the loser re-reads the head and appends after the winner. With a
 * `copy`, each chained entry is then appended to the write-once copy (blobAuditCopy.ts).
 */
export function createTableAuditLog({ table, estate, copy }: { table: TableClient; estate: string; copy?: AuditCopy }): AuditLog {
  return {
    async append(entry) {
      for (let attempt = 1; ; attempt++) {
        const head = await readHead(table, estate);
        const seq = (head?.seq ?? 0) + 1;
        const chained = chainEntry(withoutUndefined(entry), seq, head?.hash ?? GENESIS_HASH);
        const nextHead = { partitionKey: estate, rowKey: HEAD_ROW, seq, hash: chained.hash };
        const actions: TransactionAction[] = [
          ["create", { partitionKey: estate, rowKey: entryRowKey(seq), ...chained }],
          head?.etag ? ["update", nextHead, "Replace", { etag: head.etag }] : ["create", nextHead],
        ];
        try {
          await callAzure("append audit entry", () => table.submitTransaction(actions));
          // The write-once copy follows the table; a failure surfaces like a failed table write.
          if (copy) await copy.append(chained);
          return;
        } catch (error) {
          const lostRace = isDrError(error) && (error.code === "PreconditionFailed" || error.code === "Conflict");
          if (!lostRace || attempt >= MAX_APPEND_ATTEMPTS) throw error;
          // A short random pause spreads the writers that lost the same round.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * attempt)));
        }
      }
    },
    async list(filter = {}) {
      const conditions = [odata`PartitionKey eq ${estate}`, odata`RowKey lt ${HEAD_ROW}`];
      if (filter.runId) conditions.push(odata`runId eq ${filter.runId}`);
      if (filter.incidentId) conditions.push(odata`incidentId eq ${filter.incidentId}`);
      const entries: AuditEntry[] = [];
      const pages = table.listEntities<EntryRow>({ queryOptions: { filter: conditions.join(" and ") } });
      for await (const e of pages) {
        entries.push(auditFields(e));
        if (filter.limit !== undefined && entries.length >= filter.limit) break;
      }
      return entries;
    },
  };
}

/** Reads the whole chain of an estate and reports the first break (docs/audit.md). */
export async function verifyTableAuditTrail({ table, estate }: { table: TableClient; estate: string }): Promise<ChainReport> {
  const head = await readHead(table, estate);
  const entries: ChainedAuditEntry[] = [];
  const filter = odata`PartitionKey eq ${estate} and RowKey lt ${HEAD_ROW}`;
  for await (const e of table.listEntities<EntryRow>({ queryOptions: { filter } })) {
    entries.push({ ...auditFields(e), seq: Number(e.seq), prevHash: String(e.prevHash ?? ""), hash: String(e.hash ?? "") });
  }
  return verifyChain(entries, head);
}

async function readHead(table: TableClient, estate: string): Promise<HeadRow | undefined> {
  const row = await readRow(table, estate, HEAD_ROW);
  return row
    ? {
        partitionKey: estate,
        rowKey: HEAD_ROW,
        seq: Number(row["seq"]),
        hash: typeof row["hash"] === "string" ? row["hash"] : "",
        ...(row.etag ? { etag: row.etag } : {}),
      }
    : undefined;
}

function auditFields(e: AuditEntry): AuditEntry {
  return {
    at: e.at,
    who: e.who,
    action: e.action,
    result: e.result,
    ...(e.runId ? { runId: e.runId } : {}),
    ...(e.incidentId ? { incidentId: e.incidentId } : {}),
    ...(e.alertId ? { alertId: e.alertId } : {}),
    ...(e.detail ? { detail: e.detail } : {}),
  };
}

/** Table Storage drops undefined properties; the hash must cover exactly what is stored. */
function withoutUndefined(entry: AuditEntry): AuditEntry {
  return auditFields(entry);
}
