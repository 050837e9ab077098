import { TableClient, type NamedKeyCredential, type TableEntityResult, type TableServiceClientOptions } from "@azure/data-tables";
import type { TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { DrError } from "../ports/errors.js";
import { callAzure, isUnavailableStatus, isUnreachable } from "./azureErrors.js";

export interface StateTablesOptions {
  readonly endpoint: string;
  readonly credential: TokenCredential | NamedKeyCredential;
  readonly clientOptions?: TableServiceClientOptions;
  /** Prepended to the table names, so several stores can share one account (tests, drills). */
  readonly tablePrefix?: string;
  /**
   * Create a table that is missing (local hosts; default). The Function App sets false: infra creates
   * every state table (STATE_TABLES), so a cold start makes no create calls and needs no create right.
   */
  readonly createTables?: boolean;
}

/** A row of a state table: its keys and its columns (text, numbers, JSON as text). */
export type TableRow = Record<string, unknown> & { partitionKey: string; rowKey: string };

/** Opens one of the product's state tables (and creates it if missing, unless `createTables` is false). */
export async function openTable(options: StateTablesOptions, name: string): Promise<TableClient> {
  const clientOptions: TableServiceClientOptions = {
    ...options.clientOptions,
    additionalPolicies: [...(options.clientOptions?.additionalPolicies ?? []), { policy: storeUnavailablePolicy, position: "perCall" }],
  };
  const table = new TableClient(options.endpoint, `${options.tablePrefix ?? ""}${name}`, options.credential as TokenCredential, clientOptions);
  if (options.createTables !== false) await callAzure(`create table ${table.tableName}`, () => table.createTable());
  return table;
}

/**
 * Turns "Table Storage cannot be reached" into DrError 'StoreUnavailable' for every table
 * adapter. It sits per call, outside the SDK's retry policy, so it sees only what is left after
 * the SDK's own retries: a network failure, or a 500/502/503/504 answer (which the deserializer has
 * made a RestError, or which a transaction's raw response still carries).
 */
const storeUnavailablePolicy: PipelinePolicy = {
  name: "stateStoreUnavailable",
  async sendRequest(request, next) {
    let response: PipelineResponse;
    try {
      response = await next(request);
    } catch (error) {
      if (isUnreachable(error)) throw unavailable(request, error);
      throw error;
    }
    if (isUnavailableStatus(response.status)) throw unavailable(request, `${response.status} ${response.headers.get("x-ms-error-code") ?? ""}`.trim());
    return response;
  },
};

function unavailable(request: PipelineRequest, cause: unknown): DrError {
  // The path names the table and row; the query string is left out (it may carry a SAS).
  const what = `${request.method} ${new URL(request.url).pathname}`;
  const reason = cause instanceof Error ? `${(cause as { code?: string }).code ?? ""} ${cause.message}`.trim() : String(cause);
  return new DrError("StoreUnavailable", `Table Storage unreachable (${what}): ${reason}`, { cause });
}

/** One row with its ETag, or undefined when there is none. */
export async function readRow(table: TableClient, partitionKey: string, rowKey: string): Promise<TableEntityResult<TableRow> | undefined> {
  try {
    return await callAzure(`read ${table.tableName}/${rowKey}`, () => table.getEntity<TableRow>(partitionKey, rowKey));
  } catch (error) {
    if (error instanceof DrError && error.code === "NotFound") return undefined;
    throw error;
  }
}

/**
 * Deletes a lock-like row if `held` says it is still ours, under the ETag just read. A row that is
 * gone, not ours, or replaced meanwhile is left alone: it is no longer ours either way.
 */
export async function releaseRow(table: TableClient, partitionKey: string, rowKey: string, held: (row: TableRow) => boolean, what: string): Promise<void> {
  const row = await readRow(table, partitionKey, rowKey);
  if (!row || !held(row)) return;
  try {
    await callAzure(`release ${what}`, () => table.deleteEntity(partitionKey, rowKey, { etag: row.etag }));
  } catch (error) {
    if (!(error instanceof DrError && (error.code === "NotFound" || error.code === "PreconditionFailed"))) throw error;
  }
}

/** Table Storage has no null: an optional text column is written as "" when the field is absent. */
export function emptyWhenAbsent<K extends string>(record: { readonly [P in NoInfer<K>]?: string | undefined }, keys: readonly K[]): Record<K, string> {
  return Object.fromEntries(keys.map((key) => [key, record[key] ?? ""])) as Record<K, string>;
}

/** Reads optional text columns back: "" (or no column) leaves the field out. */
export function absentWhenEmpty<K extends string>(row: TableRow, keys: readonly K[]): Partial<Record<K, string>> {
  const present = keys.flatMap((key) => {
    const value = row[key];
    return typeof value === "string" && value !== "" ? [[key, value] as const] : [];
  });
  return Object.fromEntries(present) as Partial<Record<K, string>>;
}
