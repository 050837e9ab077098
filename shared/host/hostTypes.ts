/**
 * What the product needs of the Functions host's objects, by shape: @azure/functions' HttpRequest,
 * HttpResponseInit and InvocationContext satisfy these, and the sandbox builds the same real ones.
 * Keeping the library out of shared/ (only adapters import @azure/*) leaves registration to functions/.
 */
export interface ApiRequest {
  readonly method: string;
  /** The URL as the client sent it (host and port included). */
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  /** `{param}` segments of the route template. */
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly query: URLSearchParams;
  text(): Promise<string>;
}

export interface ApiResponse {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly jsonBody?: unknown;
  readonly body?: string;
}

export interface Invocation {
  readonly invocationId: string;
  readonly functionName: string;
  /** The trigger's metadata (Service Bus: deadLetterReason, deliveryCount...). */
  readonly triggerMetadata?: Readonly<Record<string, unknown>>;
  /** The invocation's place in its distributed trace: `traceParent` is a W3C traceparent header value. */
  readonly traceContext?: { readonly traceParent?: string | undefined };
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export type HttpMethod = "GET" | "POST";

/** One HTTP endpoint: the Function App registers it (functions/httpApi.ts), the sandbox serves it. */
export interface HttpRoute {
  /** The function's name. */
  readonly name: string;
  readonly methods: readonly HttpMethod[];
  /** Route template under /api, e.g. `runs/{runId}`. */
  readonly route: string;
  readonly handler: (request: ApiRequest, context: Invocation) => Promise<ApiResponse>;
}
