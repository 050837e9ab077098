import type { z } from "zod";

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: string };

/** Validates a request body against the wire shape of the real API, naming every bad field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): Parsed<T> {
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, value: result.data };
  const problems = result.error.issues.map((i) => `${i.path.length > 0 ? i.path.map(String).join(".") : "(body)"}: ${i.message}`);
  return { ok: false, problems: problems.join("; ") };
}
