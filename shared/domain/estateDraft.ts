import { z } from "zod";

/**
 * The section `estate discover` adds to a draft estate file: what it could not read, and each value it
 * proposed that a person must confirm. A file with entries here does not load; confirming a value means
 * checking (or changing) it and deleting its entry, and once both lists are empty the section can go.
 */
export const DraftSection = z
  .strictObject({
    discoveredAt: z.string().optional().describe("When discover read Azure (ISO 8601)."),
    incomplete: z
      .array(
        z.strictObject({
          where: z.string().describe("What discover could not read (a vault, a zone, the route tables)."),
          problem: z.string().describe("Why, and what to do about it."),
        }),
      )
      .default([])
      .describe("What discover could not read: the draft lacks it until discover runs again with the problem fixed, or a person adds it."),
    confirm: z
      .array(
        z.strictObject({
          path: z.string().describe("JSON path of the proposed value in this file."),
          why: z.string().describe("What discover saw, what it proposed, and what to check."),
        }),
      )
      .default([])
      .describe("Values discover proposed from what it saw: check each, then delete its entry."),
    unmatchedRecords: z
      .array(
        z.strictObject({
          zoneType: z.enum(["public", "private"]).describe("'public' (Azure DNS) or 'private' (Azure Private DNS)."),
          resourceGroup: z.string().describe("Resource group of the zone."),
          zone: z.string().describe("The zone."),
          name: z.string().describe("Relative record set name."),
          addresses: z.array(z.string()).describe("The A records' addresses now."),
          ttl: z.number().describe("Its TTL in seconds."),
        }),
      )
      .default([])
      .describe(
        "A record sets of the given zones that point at no protected VM: move those a failover must flip into `dns`, with their tier and failover addresses.",
      ),
  })
  .describe("Written by `npm run estate -- discover`: what a person must confirm or add before the file loads.");
export type DraftSection = z.infer<typeof DraftSection>;

/** One problem per entry a person still has to deal with. */
export function draftProblems(draft: DraftSection): string[] {
  return [
    ...draft.incomplete.map((entry, i) => `draft.incomplete[${i}]: discover could not read ${entry.where}: ${entry.problem}`),
    ...draft.confirm.map((entry, i) => `${entry.path}: to confirm (draft.confirm[${i}]): ${entry.why}; then delete the entry`),
  ];
}
