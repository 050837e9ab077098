import type { HttpResponseInit } from "@azure/functions";

/** An RFC 9457 problem response that names what was wrong. */
export function problem(status: number, title: string, detail: string, extra: Record<string, unknown> = {}): HttpResponseInit {
  return {
    status,
    headers: { "content-type": "application/problem+json" },
    jsonBody: { type: "about:blank", title, status, detail, ...extra },
  };
}
