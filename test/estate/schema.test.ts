import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { estateJsonSchema, estateJsonSchemaText, SCHEMA_PATH, SCHEMA_REFERENCE, type JsonSchema } from "../../local/estate/estateJsonSchema.js";
import { estateReferenceMarkdown, REFERENCE_PATH } from "../../local/estate/estateReference.js";
import { sampleEstateJson } from "../helpers.js";

/** Paths of the sample whose key the schema does not declare, or whose object leaves a field undescribed. */
function undeclared(value: unknown, schema: JsonSchema, path: string, found: string[]): void {
  if (Array.isArray(value)) {
    const items = schema["items"] as JsonSchema | undefined;
    value.forEach((v, i) => items && undeclared(v, items, `${path}[${i}]`, found));
    return;
  }
  if (typeof value !== "object" || value === null) return;
  const options = (schema["anyOf"] as JsonSchema[] | undefined)?.filter((o) => o["type"] === "object") ?? [schema];
  const object = options[0] ?? schema;
  const properties = object["properties"] as Record<string, JsonSchema> | undefined;
  const values = object["additionalProperties"];
  for (const [key, child] of Object.entries(value)) {
    const childSchema = properties?.[key] ?? (typeof values === "object" && values !== null ? (values as JsonSchema) : undefined);
    if (!childSchema) found.push(`${path}.${key}`);
    else {
      if (properties?.[key] && typeof childSchema["description"] !== "string") found.push(`${path}.${key} (no description)`);
      undeclared(child, childSchema, `${path}.${key}`, found);
    }
  }
}

describe("the estate file's JSON Schema and reference page", () => {
  it("are committed as generated from the zod schema (npm run estate -- schema)", async () => {
    expect(readFileSync(SCHEMA_PATH, "utf8")).toBe(estateJsonSchemaText());
    expect(readFileSync(REFERENCE_PATH, "utf8")).toBe(await estateReferenceMarkdown());
  });

  it("is what the sample estate names in $schema, and declares and describes every field the sample uses", () => {
    const sample = sampleEstateJson();
    expect(sample["$schema"]).toBe(SCHEMA_REFERENCE);
    const found: string[] = [];
    undeclared(sample, estateJsonSchema(), "(root)", found);
    expect(found).toEqual([]);
    expect(estateJsonSchema()["additionalProperties"]).toBe(false);
  });
});
