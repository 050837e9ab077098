import type { Scope } from "../domain/plan.js";

/** A syntactic check loadConfig applies, so a bad DRILL_SCOPE names itself at start-up; parseDrillScope accepts all it accepts. */
export const DRILL_SCOPE_PATTERN = /^(all|none|(tiers|vms):[^,\s]+(,[^,\s]+)*)?$/;

/** DRILL_SCOPE: `all`, `tiers:web,api`, `vms:WEB01,WEB02`, or `none` (no scheduled drill). */
export function parseDrillScope(text: string): Scope | null {
  const value = text.trim();
  if (value === "none") return null;
  if (value === "" || value === "all") return { kind: "all" };
  const match = /^(tiers|vms):(.+)$/.exec(value);
  const names =
    match?.[2]
      ?.split(",")
      .map((n) => n.trim())
      .filter((n) => n.length > 0) ?? [];
  if (!match || names.length === 0) throw new Error(`DRILL_SCOPE: '${text}' is not 'all', 'none', 'tiers:<a,b>' or 'vms:<a,b>'`);
  return match[1] === "tiers" ? { kind: "tiers", tiers: names } : { kind: "vms", vms: names };
}
