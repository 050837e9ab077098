import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DRILL_SCOPE_PATTERN, parseDrillScope } from "../../shared/config/drillScope.js";

const CONFIG_DIR = new URL("../../shared/config/", import.meta.url);

describe("DRILL_SCOPE", () => {
  it("parses every form the setting takes", () => {
    expect(parseDrillScope("all")).toEqual({ kind: "all" });
    expect(parseDrillScope("")).toEqual({ kind: "all" });
    expect(parseDrillScope("none")).toBeNull();
    expect(parseDrillScope("tiers:web,api")).toEqual({ kind: "tiers", tiers: ["web", "api"] });
    expect(parseDrillScope("vms:WEB01")).toEqual({ kind: "vms", vms: ["WEB01"] });
    expect(() => parseDrillScope("tiers:")).toThrow("DRILL_SCOPE: 'tiers:' is not 'all', 'none', 'tiers:<a,b>' or 'vms:<a,b>'");
    expect(() => parseDrillScope("everything")).toThrow(/DRILL_SCOPE/);
  });

  it("parses whatever the start-up pattern lets through, so a setting loadConfig accepted never fails later", () => {
    const name = fc.stringMatching(/^[^,\s]+$/);
    const setting = fc.oneof(
      fc.constantFrom("all", "none", ""),
      fc.tuple(fc.constantFrom("tiers", "vms"), fc.array(name, { minLength: 1, maxLength: 4 })).map(([k, names]) => `${k}:${names.join(",")}`),
      fc.string(),
    );
    fc.assert(
      fc.property(setting, (text) => {
        if (DRILL_SCOPE_PATTERN.test(text)) expect(() => parseDrillScope(text)).not.toThrow();
      }),
    );
  });

  it("lives in config, which depends on neither the engine nor the adapters", () => {
    const imports = readdirSync(CONFIG_DIR)
      .filter((f) => f.endsWith(".ts"))
      .flatMap((f) => [...readFileSync(new URL(f, CONFIG_DIR), "utf8").matchAll(/from "([^"]+)"/g)].map((m) => `${f}: ${m[1]}`));
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((i) => /\.\.\/(engine|adapters)\//.test(i))).toEqual([]);
  });
});
