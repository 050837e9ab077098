import type { z } from "zod";
import { issueProblem } from "../../runs/failoverRequest.js";
import type { BodyParse } from "./route.js";

/** A zod schema as a body parser: the first issue names the field ("reason: say why..."). */
export function zodBody<S extends z.ZodType>(schema: S, fallbackField = "(body)"): (value: unknown) => BodyParse<z.infer<S>> {
  return (value) => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return { ok: true, value: parsed.data };
    const issue = parsed.error.issues[0];
    const { field, message } = issue ? issueProblem(issue, fallbackField) : { field: fallbackField, message: "invalid" };
    return { ok: false, field, detail: `${field}: ${message}` };
  };
}
