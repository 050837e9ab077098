import type { z } from "zod";
import { issuesText } from "../config/zodIssues.js";

/**
 * A validator for one queue's message bodies: the trigger hands a function the decoded JSON (or the
 * text, for bodies sent without a content type); a malformed body is an error naming each problem,
 * never guessed at.
 */
export function queueBodyParser<T>(schema: z.ZodType<T>, what: string): (body: unknown) => T {
  return (body) => {
    const parsed = schema.safeParse(typeof body === "string" ? jsonOrText(body) : body);
    if (!parsed.success) throw new Error(`malformed ${what}: ${issuesText(parsed.error, "(body)")}`);
    return parsed.data;
  };
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
