import { TableClient, type NamedKeyCredential, type TableServiceClientOptions } from "@azure/data-tables";
import type { TokenCredential } from "@azure/core-auth";
import { callAzure } from "./azureErrors.js";

export interface StateTablesOptions {
  readonly endpoint: string;
  readonly credential: TokenCredential | NamedKeyCredential;
  readonly clientOptions?: TableServiceClientOptions;
  /** Prepended to the table names, so several stores can share one account (tests, drills). */
  readonly tablePrefix?: string;
}

/** Opens (and creates if missing) one of the product's state tables. */
export async function openTable(options: StateTablesOptions, name: string): Promise<TableClient> {
  const table = new TableClient(options.endpoint, `${options.tablePrefix ?? ""}${name}`, options.credential as TokenCredential, options.clientOptions);
  await callAzure(`create table ${table.tableName}`, () => table.createTable());
  return table;
}
