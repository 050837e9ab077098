import { odata, type TableClient, type TransactionAction } from "@azure/data-tables";
import type { AuditCopy, AuditEntry, AuditLog } from "../ports/auditLog.js";
import { isDrError } from "../ports/errors.js";
import { chainEntry, GENESIS_HASH, verifyChain, type ChainedAuditEntry, type ChainReport } from "./auditChain.js";
import { callAzure, toDrError } from "./azureErrors.js";
import { readRow } from "./stateTables.js";

/** The head row: last sequence number and hash of the partition's chain. Sorts after every entry row. */
const HEAD_ROW = "~head";
/** Row keys sort newest first: the distance of the sequence number to this one. */
const LAST_SEQ = 999_999_999_999_999;
/** Enough for several instances appending at once: each round, one of them wins. */
const MAX_APPEND_ATTEMPTS = 200;
/**
 * An entity-group transaction holds at most 100 entities and 4 MiB
 * (learn.microsoft.com/rest/api/storageservices/performing-entity-group-transactions): 99 entries
 * and the head, and entries up to half the payload limit (multipart framing and escaping take the rest).
 */
const MAX_BATCH_ENTRIES = 99;
const MAX_BATCH_BYTES = 2 * 1024 * 1024;

interface HeadRow {
  readonly seq: number;
  readonly hash: string;
  readonly etag?: string;
}
type EntryRow = ChainedAuditEntry & { readonly partitionKey: string; readonly rowKey: string };
interface Waiting {
  readonly entry: AuditEntry;
  readonly bytes: number;
  readonly settle: (error?: unknown) => void;
}

const entryRowKey = (seq: number): string => String(LAST_SEQ - seq).padStart(15, "0");

/**
 * Audit in the `audit` table, one partition per estate, as a hash chain (auditChain.ts): each entry
 * carries its sequence number, the previous entry's hash and its own. Appends are group-committed:
 * the entries that arrive while a transaction is in flight go together in the next one, which
 * creates their rows (in arrival order, consecutive sequence numbers) and replaces the head on its
 * ETag. Several writers (Function App instances) therefore never fork the chain: a transaction
 * that lost the head to another writer fails whole, and its entries are chained again after the
 * winner's. The head's ETag from the last commit is kept, so a writer alone reads the head once.
 * With a `copy`, each chained entry is then appended to the write-once copy (blobAuditCopy.ts).
 */
export function createTableAuditLog({ table, estate, copy }: { table: TableClient; estate: string; copy?: AuditCopy }): AuditLog {
  const waiting: Waiting[] = [];
  let committing = false;
  /** The head as this writer last committed it; undefined: read it. */
  let knownHead: HeadRow | undefined;

  async function commitWaiting(): Promise<void> {
    committing = true;
    try {
      while (waiting.length > 0) await commit(takeBatch(waiting));
    } finally {
      committing = false;
    }
  }

  /** Commits one batch and settles each of its entries; never throws. */
  async function commit(batch: readonly Waiting[]): Promise<void> {
    let chained: ChainedAuditEntry[];
    try {
      chained = await chainAndCommit(batch.map((w) => w.entry));
    } catch (error) {
      // One entry the service refuses (too large, invalid) must not fail the others: each is tried alone.
      if (batch.length > 1 && isDrError(error) && (error.code === "InvalidInput" || error.code === "Unknown")) {
        for (const one of batch) await commit([one]);
        return;
      }
      for (const w of batch) w.settle(error);
      return;
    }
    if (!copy) return batch.forEach((w) => w.settle());
    // Lines of one day may land out of seq order (docs/audit.md): each carries its seq.
    const copied = await Promise.allSettled(chained.map((c) => copy.append(c)));
    copied.forEach((result, i) => batch[i]?.settle(result.status === "rejected" ? result.reason : undefined));
  }

  async function chainAndCommit(entries: readonly AuditEntry[]): Promise<ChainedAuditEntry[]> {
    for (let attempt = 1; ; attempt++) {
      const cached = knownHead !== undefined;
      const head = knownHead ?? (await readHead(table, estate));
      const chained: ChainedAuditEntry[] = [];
      let prev = head;
      for (const entry of entries) {
        const next = chainEntry(entry, (prev?.seq ?? 0) + 1, prev?.hash ?? GENESIS_HASH);
        chained.push(next);
        prev = { seq: next.seq, hash: next.hash };
      }
      const last = chained.at(-1) as ChainedAuditEntry;
      const nextHead = { partitionKey: estate, rowKey: HEAD_ROW, seq: last.seq, hash: last.hash };
      const actions: TransactionAction[] = [
        ...chained.map((c): TransactionAction => ["create", { partitionKey: estate, rowKey: entryRowKey(c.seq), ...c }]),
        head?.etag ? ["update", nextHead, "Replace", { etag: head.etag }] : ["create", nextHead],
      ];
      try {
        const response = await callAzure("append audit entries", () => table.submitTransaction(actions));
        const etag = response.subResponses.at(-1)?.etag;
        knownHead = etag ? { seq: last.seq, hash: last.hash, etag } : undefined;
        return chained;
      } catch (error) {
        knownHead = undefined;
        const lostRace = isDrError(error) && (error.code === "PreconditionFailed" || error.code === "Conflict");
        if (!lostRace || attempt >= MAX_APPEND_ATTEMPTS) throw error;
        // A head this writer remembered is simply read again; writers that lost the same round pause a little, at random, to spread out.
        if (!cached) await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * attempt)));
      }
    }
  }

  return {
    append(entry) {
      const stored = withoutUndefined(entry);
      return new Promise<void>((resolve, reject) => {
        waiting.push({
          entry: stored,
          bytes: Buffer.byteLength(JSON.stringify(stored)),
          settle: (error) => (error === undefined ? resolve() : reject(toDrError(error, "append audit entry"))),
        });
        if (!committing) void commitWaiting();
      });
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

/** The oldest waiting entries that fit one transaction (at least one, whatever its size). */
function takeBatch(waiting: Waiting[]): Waiting[] {
  let count = 0;
  let bytes = 0;
  while (count < waiting.length && count < MAX_BATCH_ENTRIES) {
    const size = waiting[count]?.bytes ?? 0;
    if (count > 0 && bytes + size > MAX_BATCH_BYTES) break;
    bytes += size;
    count += 1;
  }
  return waiting.splice(0, count);
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
