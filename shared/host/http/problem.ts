import type { ApiResponse } from "../hostTypes.js";

/** Headers every response of the API carries: no MIME sniffing of JSON or HTML into something else. */
export const SECURITY_HEADERS = { "x-content-type-options": "nosniff" } as const;

/**
 * The report pages are static HTML with inline styles and no script: nothing else may load, run,
 * frame them or be submitted from them, so injected markup would stay inert.
 */
export const HTML_CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Why a request is refused, and the status and title each reason answers with: one table for the whole API. */
export const REFUSALS = {
  invalid: { status: 400, title: "Invalid request" },
  malformedJson: { status: 400, title: "Malformed JSON" },
  notAnAlert: { status: 400, title: "Not a common-schema alert" },
  unauthorized: { status: 401, title: "Unauthorized" },
  forbidden: { status: 403, title: "Forbidden" },
  notFound: { status: 404, title: "Not found" },
  tooLarge: { status: 413, title: "Payload too large" },
  mediaType: { status: 415, title: "Unsupported media type" },
} as const;

export type RefusalReason = keyof typeof REFUSALS;

/** An RFC 9457 problem response that names what was wrong. */
export function problem(status: number, title: string, detail: string, extra: Readonly<Record<string, unknown>> = {}): ApiResponse {
  return {
    status,
    headers: { "content-type": "application/problem+json", ...SECURITY_HEADERS },
    jsonBody: { type: "about:blank", title, status, detail, ...extra },
  };
}

/** The same response with a Retry-After header (503s, 429s, and refusals a retry will get past). */
export function withRetryAfter(response: ApiResponse, seconds: number): ApiResponse {
  return { ...response, headers: { ...response.headers, "retry-after": String(seconds) } };
}

/** The one way the API answers with a page: HTML with the content security policy and nosniff. */
export function htmlPage(body: string, status = 200): ApiResponse {
  return {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": HTML_CONTENT_SECURITY_POLICY, ...SECURITY_HEADERS },
    body,
  };
}
