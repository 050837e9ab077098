/**
 * The closed set of failures the engine reasons about; adapters translate SDK errors into it.
 * `StoreUnavailable`: the state store (Table Storage) could not be reached, even after the SDK's retries.
 */
export type DrErrorCode =
  "NotFound" | "Conflict" | "PreconditionFailed" | "Throttled" | "Transient" | "StoreUnavailable" | "Unauthorized" | "InvalidInput" | "Unknown";

const RETRYABLE: ReadonlySet<DrErrorCode> = new Set(["Throttled", "Transient", "StoreUnavailable"]);

export class DrError extends Error {
  override readonly name = "DrError";
  readonly retryable: boolean;
  constructor(
    readonly code: DrErrorCode,
    message: string,
    options: { cause?: unknown; retryAfterSeconds?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.retryable = RETRYABLE.has(code);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
  readonly retryAfterSeconds: number | undefined;
}

export function isDrError(error: unknown): error is DrError {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === "DrError";
}
