import { AsyncLocalStorage } from "node:async_hooks";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";

/** Table Storage requests seen by one counter, in all and by method and table ("POST $batch" for a transaction). */
export interface TableOperationCounts {
  readonly total: number;
  readonly byRequest: Readonly<Record<string, number>>;
}

export interface TableOperationCounter {
  counts(): TableOperationCounts;
  stop(): void;
}

const SERVER_REQUEST = new AsyncLocalStorage<true>();
const markServerRequest = (): void => SERVER_REQUEST.enterWith(true);

/**
 * Counts the requests this process sends to one Table service endpoint (Azurite), through Node's
 * `http.client.request.start` diagnostics channel, so the SDK clients stay as the product builds
 * them. `servingHttp` counts only the requests made while serving an HTTP request of this process
 * (the sandbox's routes: the alert path), not those of background work (the queue pumps, a run's
 * steps); it follows Node's async context from `http.server.request.start`. A table name loses the
 * stack's prefix (`tablePrefix`), so figures read "GET incidents", "POST $batch"...
 */
export function countTableOperations(tableEndpoint: string, options: { tablePrefix?: string; servingHttp?: boolean } = {}): TableOperationCounter {
  const endpoint = new URL(tableEndpoint);
  const account = endpoint.pathname.replace(/\/+$/, "");
  const prefix = options.tablePrefix ?? "";
  const byRequest = new Map<string, number>();
  const onRequest = (message: unknown): void => {
    const { request } = message as { request: ClientRequest };
    if (request.getHeader("host") !== endpoint.host || !request.path.startsWith(`${account}/`)) return;
    if (options.servingHttp && SERVER_REQUEST.getStore() !== true) return;
    const resource = request.path.slice(account.length + 1).split(/[(?/]/)[0] ?? "";
    const table = resource.startsWith(prefix) ? resource.slice(prefix.length) : resource;
    const key = `${request.method} ${table}`;
    byRequest.set(key, (byRequest.get(key) ?? 0) + 1);
  };
  subscribe("http.client.request.start", onRequest);
  if (options.servingHttp) subscribe("http.server.request.start", markServerRequest);
  return {
    counts: () => ({ total: [...byRequest.values()].reduce((a, b) => a + b, 0), byRequest: Object.fromEntries([...byRequest].sort()) }),
    stop() {
      unsubscribe("http.client.request.start", onRequest);
      if (options.servingHttp) unsubscribe("http.server.request.start", markServerRequest);
    },
  };
}
