import type { HttpHeaders } from "@azure/core-rest-pipeline";

/** One ARM request as the handlers see it. */
export interface SimRequest {
  /** Upper-case HTTP verb. */
  readonly method: string;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
  readonly headers: HttpHeaders;
  /** Parsed JSON body, undefined when the request had none. */
  readonly body: unknown;
  /** Simulated time of the request. */
  readonly now: Date;
}

export interface SimReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a handler gets: the request and a way to refuse it as misuse. */
export interface Exchange {
  readonly req: SimRequest;
  /** Answers an ARM error AND records the request as misuse: the caller broke a rule of the real service. */
  reject(status: number, code: string, message: string): SimReply;
  /** Records misuse without changing the answer: the real service would accept the request, yet it breaks a protocol. */
  flag(message: string): void;
}

export type Handler = (ex: Exchange) => SimReply;

export function reply(status: number, body?: unknown, headers?: Readonly<Record<string, string>>): SimReply {
  return { status, ...(body === undefined ? {} : { body }), ...(headers ? { headers } : {}) };
}

/**
 * An ARM error that a well-behaved caller can meet (a precondition failed, a state the operation is
 * not allowed in): answered, not recorded as misuse.
 */
export function armError(status: number, code: string, message: string, extra?: Readonly<Record<string, unknown>>): SimReply {
  return reply(status, { error: { code, message, ...extra } });
}

/** An ETag as compared: without the weak prefix (W/) and the quotes ARM sends it in. */
export function unquote(etag: string): string {
  return etag.replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

export function iso(date: Date): string {
  return date.toISOString();
}
