import { isRestError } from "@azure/core-rest-pipeline";
import { DrError, isDrError, type DrErrorCode } from "../ports/errors.js";

const BY_STATUS: ReadonlyMap<number, DrErrorCode> = new Map([
  [400, "InvalidInput"],
  [401, "Unauthorized"],
  [403, "Unauthorized"],
  [404, "NotFound"],
  [409, "Conflict"],
  [412, "PreconditionFailed"],
  [429, "Throttled"],
  [500, "Transient"],
  [502, "Transient"],
  [503, "Transient"],
  [504, "Transient"],
]);

/** The engine's error code for an HTTP status of an Azure answer. */
export function drErrorCodeFor(status: number | undefined): DrErrorCode {
  return status === undefined ? "Transient" : (BY_STATUS.get(status) ?? (status >= 500 ? "Transient" : "Unknown"));
}

/** Translates whatever an Azure SDK threw into a DrError; the one place that knows RestError. */
export function toDrError(error: unknown, what: string): DrError {
  if (isDrError(error)) return error;
  if (isRestError(error)) {
    const status = error.statusCode;
    const code = drErrorCodeFor(status);
    const retryAfter = Number(error.response?.headers.get("retry-after"));
    return new DrError(code, `${what}: ${error.code ?? status ?? "network error"} ${error.message}`.trim(), {
      cause: error,
      ...(Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {}),
    });
  }
  return new DrError("Unknown", `${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

/** Runs an SDK call and rethrows its failure as a DrError naming the operation. */
export async function callAzure<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toDrError(error, what);
  }
}

/**
 * Node system error codes that mean the service was not reached or the connection died (the SDK's
 * RestError carries them as `code`; its exponential retry retries the same set, plus DNS's EAI_AGAIN).
 */
const UNREACHABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "REQUEST_SEND_ERROR",
]);

/**
 * Statuses with which Azure Storage says "not now" rather than "no": 500 InternalError or
 * OperationTimedOut, 503 ServerBusy (Common REST API error codes,
 * learn.microsoft.com/rest/api/storageservices/common-rest-api-error-codes), and the gateway's 502/504.
 */
const UNAVAILABLE_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504]);

/** True for a storage answer that means the service is unavailable, not that the request was wrong. */
export function isUnavailableStatus(status: number | undefined): boolean {
  return status !== undefined && UNAVAILABLE_STATUSES.has(status);
}

/** True when an SDK error says the service could not be reached or could not serve at all. */
export function isUnreachable(error: unknown): boolean {
  if (!isRestError(error)) return false;
  if (error.statusCode !== undefined) return isUnavailableStatus(error.statusCode);
  return error.code !== undefined && UNREACHABLE_NETWORK_CODES.has(error.code);
}
