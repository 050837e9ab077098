import type { z } from "zod";
import { issuesText } from "../../shared/config/zodIssues.js";

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: string };

/** Validates a request body against the wire shape of the real API, naming every bad field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): Parsed<T> {
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: issuesText(result.error, "(body)") };
}
