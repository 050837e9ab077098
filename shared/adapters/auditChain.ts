import { createHash } from "node:crypto";
import type { AuditEntry, ChainedAuditEntry } from "../ports/auditLog.js";

export type { ChainedAuditEntry } from "../ports/auditLog.js";

/** The hash before the first entry of a trail. */
export const GENESIS_HASH = "0".repeat(64);

export type ChainReport =
  | { readonly ok: true; readonly entries: number; readonly headHash: string }
  | { readonly ok: false; readonly entries: number; readonly brokenAt: number; readonly reason: string };

const FIELDS = ["at", "who", "action", "result", "runId", "incidentId", "alertId", "detail"] as const;

/**
 * SHA-256 over the entry's place, its predecessor's hash and its fields, as JSON with a fixed
 * key order (absent fields left out), so the same entry always gives the same hash.
 */
export function entryHash(entry: AuditEntry, seq: number, prevHash: string): string {
  const fields = Object.fromEntries(FIELDS.filter((f) => entry[f] !== undefined).map((f) => [f, entry[f]]));
  return createHash("sha256")
    .update(JSON.stringify({ seq, prevHash, ...fields }))
    .digest("hex");
}

export function chainEntry(entry: AuditEntry, seq: number, prevHash: string): ChainedAuditEntry {
  return { ...entry, seq, prevHash, hash: entryHash(entry, seq, prevHash) };
}

/**
 * Recomputes a whole trail, oldest first, and names the first entry where it breaks: a gap in the
 * sequence (a row deleted), a predecessor hash that does not match (a row inserted or reordered),
 * a hash that does not match the fields (a row edited), or a head that is not the last entry (the
 * newest rows deleted). `head` is the chain's head record: the last sequence number and hash.
 */
export function verifyChain(entries: readonly ChainedAuditEntry[], head: { readonly seq: number; readonly hash: string } | undefined): ChainReport {
  const sorted = [...entries].sort((a, b) => a.seq - b.seq);
  let prevHash = GENESIS_HASH;
  let expected = 1;
  for (const entry of sorted) {
    const broken = (reason: string): ChainReport => ({ ok: false, entries: sorted.length, brokenAt: entry.seq, reason });
    if (entry.seq !== expected) return broken(`entry ${expected} is missing (next present is ${entry.seq})`);
    if (entry.prevHash !== prevHash) return broken(`entry ${entry.seq} does not follow entry ${entry.seq - 1} (previous hash differs)`);
    if (entryHash(entry, entry.seq, entry.prevHash) !== entry.hash)
      return broken(`entry ${entry.seq} was changed after it was written (its hash does not match its fields)`);
    prevHash = entry.hash;
    expected += 1;
  }
  const last = sorted.length;
  if ((head?.seq ?? 0) !== last || (head?.hash ?? GENESIS_HASH) !== prevHash) {
    return {
      ok: false,
      entries: last,
      brokenAt: last + 1,
      reason: `the chain head names entry ${head?.seq ?? 0} but the trail ends at entry ${last}: newer entries were removed or the head was changed`,
    };
  }
  return { ok: true, entries: last, headHash: prevHash };
}
