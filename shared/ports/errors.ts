/** The closed set of failures the engine reasons about; adapters translate SDK errors into it. */
export type DrErrorCode = "NotFound" | "Conflict" | "PreconditionFailed" | "Throttled" | "Transient" | "Unauthorized" | "InvalidInput" | "Unknown";

const RETRYABLE: ReadonlySet<DrErrorCode> = new Set(["Throttled", "Transient"]);

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
