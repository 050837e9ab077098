export interface StatsSnapshot {
  reads: number;
  writes: number;
  byOperation: Record<string, number>;
  failoverCalls: Record<string, number>;
}

/**
 * What counts: every request that reaches the simulated ARM endpoint, including those answered 429/503 by
 * fault injection and those refused or rejected. GET (LRO status polls included) is a read; PUT, POST,
 * PATCH and DELETE are writes, except the Monitor data plane's query POSTs, which only read. byOperation is keyed by the REST operation id ('ReplicationJobs_Get', ...)
 * for 2xx answers and '<operation>:<status>' for any other answer (e.g. 'Routes_Get:429'); requests that
 * match no route count under 'Unknown:404'. failoverCalls counts accepted unplanned and test failover
 * POSTs per VM name. Health probes are not ARM requests and are not counted.
 */
export interface Stats {
  /** `kind` overrides the verb: the Monitor data plane reads with POST (metrics:getBatch, Log Analytics queries). */
  countRequest(method: string, kind?: "read" | "write"): void;
  countAnswer(operation: string, status: number): void;
  countFailover(vmName: string): void;
  snapshot(): StatsSnapshot;
}

/** `initial`: counts a restored sandbox carries on from (worldSnapshot.ts). */
export function createStats(initial?: StatsSnapshot): Stats {
  let reads = initial?.reads ?? 0;
  let writes = initial?.writes ?? 0;
  const byOperation: Record<string, number> = { ...initial?.byOperation };
  const failoverCalls: Record<string, number> = { ...initial?.failoverCalls };
  return {
    countRequest(method, kind) {
      if (kind === "read" || (kind === undefined && (method === "GET" || method === "HEAD"))) reads += 1;
      else writes += 1;
    },
    countAnswer(operation, status) {
      const key = status >= 200 && status < 300 ? operation : `${operation}:${status}`;
      byOperation[key] = (byOperation[key] ?? 0) + 1;
    },
    countFailover(vmName) {
      failoverCalls[vmName] = (failoverCalls[vmName] ?? 0) + 1;
    },
    snapshot: () => ({ reads, writes, byOperation: { ...byOperation }, failoverCalls: { ...failoverCalls } }),
  };
}
