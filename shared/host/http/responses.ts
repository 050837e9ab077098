import type { ApiRequest, ApiResponse } from "../hostTypes.js";

/** How long a client should wait before following a run (ASR's own polling interval). */
export const RETRY_AFTER_SECONDS = 30;

/** 202 (or 200) with the run to follow, as an ARM long-running operation answers. */
export function accepted(request: ApiRequest, runId: string, body: Readonly<Record<string, unknown>>, status: 200 | 202 = 202): ApiResponse {
  return {
    status,
    headers: { location: new URL(`/api/runs/${encodeURIComponent(runId)}`, request.url).toString(), "retry-after": String(RETRY_AFTER_SECONDS) },
    jsonBody: body,
  };
}

/** Where a run is followed and acted on. */
export function runLinks(runId: string): { links: Record<string, string> } {
  const base = `/api/runs/${encodeURIComponent(runId)}`;
  return { links: { run: base, report: `${base}/report`, audit: `/api/audit?runId=${encodeURIComponent(runId)}` } };
}
