import type { HttpResponseInit } from "@azure/functions";

/** Headers every response of the API carries: no MIME sniffing of JSON or HTML into something else. */
export const SECURITY_HEADERS = { "x-content-type-options": "nosniff" } as const;

/**
 * The report pages are static HTML with inline styles and no script: nothing else may load, run,
 * frame them or be submitted from them, so injected markup would stay inert.
 */
export const HTML_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** An RFC 9457 problem response that names what was wrong. */
export function problem(status: number, title: string, detail: string, extra: Record<string, unknown> = {}): HttpResponseInit {
  return {
    status,
    headers: { "content-type": "application/problem+json", ...SECURITY_HEADERS },
    jsonBody: { type: "about:blank", title, status, detail, ...extra },
  };
}

/** The one way a function answers with a page: HTML with the content security policy and nosniff. */
export function htmlPage(body: string, status = 200): HttpResponseInit {
  return {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": HTML_CONTENT_SECURITY_POLICY, ...SECURITY_HEADERS },
    body,
  };
}
