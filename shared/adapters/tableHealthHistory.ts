import { odata, type TableClient } from "@azure/data-tables";
import { gunzipSync, gzipSync } from "node:zlib";
import type { CheckStatus, HealthCheck, HealthReport } from "../domain/health/healthReport.js";
import { STATE_TABLES } from "../config/names.js";
import { DrError, isDrError } from "../ports/errors.js";
import type { HealthHistoryEntry, HealthHistoryPort, LeaseResult } from "../ports/healthHistory.js";
import { callAzure } from "./azureErrors.js";
import { openTable, readRow, releaseRow, type StateTablesOptions, type TableRow } from "./stateTables.js";

export const HEALTH_TABLE_NAMES = { reports: STATE_TABLES.healthReports, locks: STATE_TABLES.locks } as const;
const LEASE_ROW = "health-check";
/** Table Storage limits: 64 KiB per binary property, 1 MiB per entity; the rest of the row is small. */
const CHUNK_BYTES = 64 * 1024;
const MAX_CHUNKS = 14;
/** String properties hold up to 32K UTF-16 characters. */
const MAX_TEXT = 30_000;

export type TableHealthHistoryOptions = StateTablesOptions;

/**
 * Health history in Table Storage: one row per report in `healthreports` (partition = estate,
 * row key = inverted start time, so a partition lists newest first), the full report gzipped into
 * binary columns; and the health-check lease in the `locks` table the run store also uses (its own
 * row), taken and given back with ETags.
 */
export async function createTableHealthHistory(options: TableHealthHistoryOptions): Promise<HealthHistoryPort> {
  const [reports, locks] = await Promise.all([openTable(options, HEALTH_TABLE_NAMES.reports), openTable(options, HEALTH_TABLE_NAMES.locks)]);

  return {
    async save(report) {
      await callAzure(`save health report ${report.reportId}`, () => reports.upsertEntity(reportToEntity(report), "Replace"));
    },

    async list(estate, limit) {
      const found: HealthHistoryEntry[] = [];
      const query = reports.listEntities<TableRow>({ queryOptions: { filter: odata`PartitionKey eq ${estate}`, select: ENTRY_COLUMNS } });
      for await (const entity of query) {
        found.push(entityToEntry(entity));
        if (found.length >= limit) break;
      }
      return found;
    },

    async get(estate, reportId) {
      const query = reports.listEntities<TableRow>({ queryOptions: { filter: odata`PartitionKey eq ${estate} and reportId eq ${reportId}` } });
      for await (const entity of query) return entityToReport(entity);
      return undefined;
    },

    acquireLease: (estate, holder, now, until) => acquireLease(locks, estate, holder, now, until),

    releaseLease: (estate, holder) => releaseRow(locks, estate, LEASE_ROW, (lease) => lease.holder === holder, "the health-check lease"),
  };
}

async function acquireLease(locks: TableClient, estate: string, holder: string, now: Date, until: Date): Promise<LeaseResult> {
  const row = { partitionKey: estate, rowKey: LEASE_ROW, holder, until: until.toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const created = await callAzure("take the health-check lease", () => locks.createEntity(row));
      return { acquired: true, etag: created.etag ?? "" };
    } catch (error) {
      if (!(isDrError(error) && error.code === "Conflict")) throw error;
    }
    const current = await readRow(locks, estate, LEASE_ROW);
    if (!current) continue; // released in between: try to create it again
    const expired = Date.parse(String(current.until)) <= now.getTime();
    if (!expired && current.holder !== holder) return { acquired: false, heldBy: String(current.holder), until: String(current.until) };
    try {
      // Take over an expired lease (or renew ours) only if nobody changed it since we read it.
      const updated = await callAzure("take over the health-check lease", () => locks.updateEntity(row, "Replace", { etag: current.etag }));
      return { acquired: true, etag: updated.etag ?? "" };
    } catch (error) {
      if (!(isDrError(error) && (error.code === "PreconditionFailed" || error.code === "NotFound"))) throw error;
    }
  }
  const holderNow = await readRow(locks, estate, LEASE_ROW);
  if (holderNow) return { acquired: false, heldBy: String(holderNow.holder), until: String(holderNow.until) };
  throw new DrError("Conflict", "the health-check lease kept changing while taking it");
}

const ENTRY_COLUMNS = ["PartitionKey", "RowKey", "reportId", "startedAt", "finishedAt", "trigger", "isPastDue", "overall", "summary", "counts"];

/** Newest first within a partition: Table Storage sorts row keys ascending. */
function invertedTime(iso: string): string {
  return String(9_999_999_999_999 - Date.parse(iso)).padStart(13, "0");
}

function reportToEntity(report: HealthReport): TableRow {
  const { bytes, truncated } = compress(report);
  const chunks: Record<string, Uint8Array> = {};
  for (let i = 0; i * CHUNK_BYTES < bytes.length; i++) chunks[`report${i}`] = bytes.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES);
  return {
    partitionKey: report.estate,
    rowKey: `${invertedTime(report.startedAt)}-${report.reportId}`,
    reportId: report.reportId,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    trigger: report.trigger,
    isPastDue: report.isPastDue,
    overall: report.overall,
    summary: report.summary.slice(0, MAX_TEXT),
    counts: JSON.stringify(report.counts),
    reportChunks: Object.keys(chunks).length,
    reportTruncated: truncated,
    ...chunks,
  };
}

/**
 * The whole report gzipped; if even that is over the row's capacity (tens of thousands of VMs),
 * the green checks are dropped (their counts stay) and the row says so.
 */
function compress(report: HealthReport): { bytes: Uint8Array; truncated: boolean } {
  const full = gzipSync(JSON.stringify(report));
  if (full.length <= CHUNK_BYTES * MAX_CHUNKS) return { bytes: full, truncated: false };
  const notGreen = (checks: readonly HealthCheck[]) => checks.filter((c) => c.status !== "green");
  const reduced: HealthReport = {
    ...report,
    vms: report.vms.filter((v) => v.status !== "green").map((v) => ({ ...v, checks: notGreen(v.checks) })),
    estateChecks: notGreen(report.estateChecks),
  };
  const bytes = gzipSync(JSON.stringify(reduced));
  return { bytes: bytes.length <= CHUNK_BYTES * MAX_CHUNKS ? bytes : new Uint8Array(), truncated: true };
}

function entityToEntry(e: TableRow): HealthHistoryEntry {
  return {
    reportId: String(e.reportId),
    estate: e.partitionKey,
    startedAt: String(e.startedAt),
    finishedAt: String(e.finishedAt),
    trigger: String(e.trigger),
    isPastDue: e.isPastDue === true,
    overall: String(e.overall) as CheckStatus,
    summary: String(e.summary),
    counts: JSON.parse(String(e.counts)) as Record<CheckStatus, number>,
  };
}

function entityToReport(e: TableRow): HealthReport | undefined {
  const parts = Number(e.reportChunks ?? 0);
  if (parts === 0) return undefined;
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < parts; i++) {
    const chunk = e[`report${i}`];
    if (!(chunk instanceof Uint8Array)) throw new DrError("Unknown", `health report ${String(e.reportId)}: chunk ${i} is missing`);
    chunks.push(chunk);
  }
  return JSON.parse(gunzipSync(Buffer.concat(chunks)).toString("utf8")) as HealthReport;
}
