import type { CheckStatus } from "../domain/health/healthReport.js";

/** How a health check's status is written, on the report page and in the console alike: the same word everywhere a person reads it. */
export const CHECK_STATUS_LABEL: Readonly<Record<CheckStatus, string>> = { green: "Green", amber: "Amber", red: "Red", unknown: "Could not check" };
