/**
 * Neutralising text that came from people or from Azure before it reaches a person or a log.
 * Raw line breaks let a reason forge lines of its own ("What you need to do: approve at ..."),
 * ANSI escapes drive a terminal, bidirectional overrides reorder what a reader sees, and a URL in
 * free text becomes a link in Teams and most mail clients. Every channel and the loggers use these.
 */

/** C0 and C1 controls (ESC included), DEL, zero-width and bidirectional formatting characters, line and paragraph separators. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]+/g;
/** ANSI escape sequences (CSI and OSC), removed whole so no `[31m` residue is left. */
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g;
/** A URL scheme, or a `www.` host, that clients turn into a link. */
const LINK = /\b([a-z][a-z0-9+.-]*):(\/\/)|\b(www)\.(?=[a-z0-9-])/gi;

/** One line of plain text: escape sequences removed, every run of control characters one space. */
export function neutraliseControls(text: string): string {
  return text.replace(ANSI, "").replace(CONTROL, " ");
}

/**
 * Text a person reads in a notification: one line, no controls, links defanged the way security
 * tools write them (`https[:]//host`, `www[.]host`), trimmed and clipped to `maxLength`.
 */
export function neutraliseUserText(text: string, maxLength = 600): string {
  const line = neutraliseControls(text)
    .replace(LINK, (_match, scheme: string | undefined, slashes: string | undefined, www: string | undefined) =>
      www ? `${www}[.]` : `${scheme ?? ""}[:]${slashes ?? ""}`,
    )
    .replace(/\s+/g, " ")
    .trim();
  return line.length <= maxLength ? line : `${line.slice(0, maxLength - 1)}…`;
}

/** A value for a log line: strings lose their controls, objects and arrays are walked, the rest kept. */
export function neutraliseLogValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return neutraliseControls(value);
  if (depth > 5 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    return {
      name: neutraliseControls(value.name),
      message: neutraliseControls(value.message),
      ...(value.stack ? { stack: neutraliseControls(value.stack) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((item) => neutraliseLogValue(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [neutraliseControls(key), neutraliseLogValue(item, depth + 1)]));
}
