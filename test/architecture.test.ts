import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    return statSync(path.join(ROOT, rel)).isDirectory() ? sources(rel) : rel.endsWith(".ts") ? [rel] : [];
  });
}

/** Static value imports of a file (type-only imports and dynamic import() left out), as repository paths. */
function valueImports(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  const found: string[] = [];
  for (const match of text.matchAll(/^import\s+(?!type\s)([^;]*?)\s+from\s+["'](\.{1,2}\/[^"']+)["'];?$/gm)) {
    const clause = match[1] ?? "";
    // `import { type A, type B } from` carries no value either.
    if (
      /^\{[^}]*\}$/.test(clause) &&
      clause
        .slice(1, -1)
        .split(",")
        .every((part) => part.trim().startsWith("type ") || part.trim() === "")
    )
      continue;
    found.push(path.normalize(path.join(path.dirname(file), (match[2] ?? "").replace(/\.js$/, ".ts"))));
  }
  return found;
}

describe("the shape of the code", () => {
  it("function files only register: no exports, and they import the host library, names and shared/host only", () => {
    for (const file of sources("functions")) {
      const text = readFileSync(path.join(ROOT, file), "utf8");
      expect(text, file).not.toMatch(/^export\s/m);
      for (const [, specifier] of text.matchAll(/from\s+["']([^"']+)["']/g)) {
        expect(
          specifier === "@azure/functions" || specifier?.startsWith("../shared/host/") || specifier === "../shared/config/names.js",
          `${file} imports ${specifier}`,
        ).toBe(true);
      }
    }
  });

  it("has no value-import cycle among functions/ and shared/", () => {
    const files = [...sources("functions"), ...sources("shared")];
    const graph = new Map(files.map((f) => [f, valueImports(f).filter((t) => files.includes(t))]));
    expect([...graph.values()].flat().length).toBeGreaterThan(200); // the parser sees the imports
    const state = new Map<string, "visiting" | "done">();
    const cycles: string[] = [];
    const visit = (file: string, trail: string[]): void => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(" -> "));
        return;
      }
      state.set(file, "visiting");
      for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, "done");
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
