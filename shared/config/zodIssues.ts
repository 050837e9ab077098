/** The parts of a zod issue a message needs; zod's own issues fit, and nothing here depends on zod. */
export interface IssueLike {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** How an array index reads: `steps.0.id` ("dotted") or `vms[0].name` ("bracketed", as JavaScript and JSONPath write it). */
export type IndexStyle = "dotted" | "bracketed";

/** Where the issue is; `rootLabel` names the value itself ("(body)", "(root)", or "" for none). */
export function issuePath(path: readonly PropertyKey[], rootLabel: string, indexStyle: IndexStyle = "dotted"): string {
  if (path.length === 0) return rootLabel;
  if (indexStyle === "dotted") return path.map(String).join(".");
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("");
}

/** "path: message", the one line a person reads to find and fix the bad field. */
export function issueText(issue: IssueLike, rootLabel: string, indexStyle: IndexStyle = "dotted"): string {
  return `${issuePath(issue.path, rootLabel, indexStyle)}: ${issue.message}`;
}

/** Every issue of a failed parse on one line, "; " between them. */
export function issuesText(error: { readonly issues: readonly IssueLike[] }, rootLabel: string, indexStyle: IndexStyle = "dotted"): string {
  return error.issues.map((issue) => issueText(issue, rootLabel, indexStyle)).join("; ");
}
