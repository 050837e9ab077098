/**
 * The shapes and sizes the HTTP API accepts outside the JSON bodies' own schemas (docs/http-api.md,
 * "Limits"). A value outside them is a 400 naming its field, never a lookup: Table Storage refuses
 * keys with '/', '\', '#', '?' or control characters and strings over 32K characters.
 */
export const RUN_ID_MAX_LENGTH = 100;
/** Run ids look like `run-20261125T013000Z-a1b2c3`; letters, digits, '.', '_' and '-' are accepted. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
export const INCIDENT_ID_MAX_LENGTH = 200;
/** The problem with a `{runId}` path parameter or query value, if any. */
export function runIdProblem(runId: string): string | undefined {
  if (RUN_ID_PATTERN.test(runId)) return undefined;
  return `1 to ${RUN_ID_MAX_LENGTH} letters, digits, '.', '_' or '-', starting with a letter or digit (like run-20261125T013000Z-a1b2c3)`;
}
