import { z } from "zod";
import { EstateSchema } from "../../shared/domain/estate.js";
import { DraftSection } from "../../shared/domain/estateDraft.js";

/** Where the schema is committed, and how estate files beside it refer to it. */
export const SCHEMA_PATH = "estate/estate.schema.json";
export const SCHEMA_REFERENCE = "./estate.schema.json";

export type JsonSchema = { [key: string]: unknown };

/**
 * The JSON Schema of an estate file, generated from the zod schema with every field's description, so an
 * editor completes and checks the file as it is typed. Input shape: fields with a default are optional.
 * It also allows the two keys a file carries beside the estate: `$schema` and the draft section.
 */
export function estateJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(EstateSchema, { io: "input" }) as JsonSchema;
  const { $schema: _dialect, ...draft } = z.toJSONSchema(DraftSection, { io: "input" }) as JsonSchema;
  const properties = schema["properties"] as Record<string, unknown>;
  return {
    $schema: schema["$schema"],
    $id: "https://github.com/asr-dr-automation/estate.schema.json",
    title: "Estate file of the ASR failover automation",
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== "$schema" && key !== "properties")),
    properties: {
      $schema: { type: "string", description: `This schema, for editors: "${SCHEMA_REFERENCE}" beside the estate files.` },
      ...properties,
      draft,
    },
  };
}

/** The schema as committed: two-space JSON and a final newline. */
export function estateJsonSchemaText(): string {
  return `${JSON.stringify(estateJsonSchema(), null, 2)}\n`;
}
