import type { ApiRequest } from "../hostTypes.js";
import type { RefusalReason } from "./problem.js";

/** Requests are a few hundred bytes; anything near this is not one. */
export const MAX_REQUEST_BYTES = 64 * 1024;

export type BodyResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: RefusalReason; readonly detail: string };

/** A JSON request body, size-limited, or why it is refused. An empty body is `{}` when allowed. */
export async function readJsonBody(
  request: ApiRequest,
  options: { readonly allowEmpty?: boolean; readonly maxBytes?: number; readonly what?: string } = {},
): Promise<BodyResult> {
  const maxBytes = options.maxBytes ?? MAX_REQUEST_BYTES;
  const tooLarge = { ok: false, reason: "tooLarge", detail: `${options.what ?? "requests"} are limited to ${maxBytes} bytes` } as const;
  if (Number(request.headers.get("content-length") ?? 0) > maxBytes) return tooLarge;
  const text = await request.text();
  if (text.trim() === "" && options.allowEmpty) return { ok: true, value: {} };
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(contentType))
    return { ok: false, reason: "mediaType", detail: `expected application/json, got '${contentType || "none"}'` };
  if (Buffer.byteLength(text) > maxBytes) return tooLarge;
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reason: "malformedJson", detail: error instanceof Error ? error.message : "the body is not JSON" };
  }
}
