import { DrError, type DrErrorCode } from "../ports/errors.js";

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface ChannelPost {
  /** Names the channel in errors; the URL never appears in an error (it may hold a secret). */
  readonly what: string;
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly fetch?: FetchLike;
  readonly now?: () => Date;
}

export interface ChannelResponse {
  readonly status: number;
  readonly text: string;
}

/**
 * One POST to a notification receiver, bounded in time (headers and body), its failure translated
 * into a DrError: 429 Throttled (with Retry-After), 408/5xx/timeouts/network Transient, other 4xx
 * not retryable.
 */
export async function postToChannel(post: ChannelPost): Promise<ChannelResponse> {
  const fetchImpl = post.fetch ?? fetch;
  const signal = AbortSignal.timeout(post.timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await fetchImpl(post.url, { method: "POST", headers: post.headers, body: post.body, signal, redirect: "error" });
    text = await response.text();
  } catch (error) {
    if (signal.aborted) throw new DrError("Transient", `${post.what}: no answer within ${post.timeoutMs} ms`, { cause: error });
    throw new DrError("Transient", `${post.what}: ${networkReason(error)}`, { cause: error });
  }
  if (response.ok) return { status: response.status, text };
  throw httpError(post.what, response.status, text, response.headers.get("retry-after"), (post.now ?? (() => new Date()))());
}

export function httpError(what: string, status: number, text: string, retryAfter: string | null, now: Date): DrError {
  const code: DrErrorCode =
    status === 429
      ? "Throttled"
      : status === 408 || status >= 500
        ? "Transient"
        : status === 401 || status === 403
          ? "Unauthorized"
          : status === 404
            ? "NotFound"
            : "InvalidInput";
  const snippet = text.replace(/\s+/g, " ").trim().slice(0, 200);
  const retryAfterSeconds = parseRetryAfter(retryAfter, now);
  return new DrError(code, `${what}: HTTP ${status}${snippet ? ` ${snippet}` : ""}`, { ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) });
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - now.getTime()) / 1000)) : undefined;
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === "string") return `network error ${cause.code}`;
  return error instanceof Error ? error.message : String(error);
}
