/** One audited fact: who did what, when, and how it ended. Never updated, never deleted. */
export interface AuditEntry {
  readonly at: string;
  /** The caller (user principal, the Action Group's app, 'system'). */
  readonly who: string;
  readonly action: string;
  readonly result: string;
  readonly runId?: string;
  readonly incidentId?: string;
  readonly alertId?: string;
  readonly detail?: string;
}

export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  list(filter?: { readonly runId?: string; readonly incidentId?: string; readonly limit?: number }): Promise<AuditEntry[]>;
}

/** An entry as the tamper-evident trail holds it: its place, its predecessor's hash and its own. */
export interface ChainedAuditEntry extends AuditEntry {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

/**
 * A second, write-once copy of the chained trail (append blobs under time-based retention): what
 * is appended there can no longer be changed, even by the app, so it anchors the table's chain.
 */
export interface AuditCopy {
  append(entry: ChainedAuditEntry): Promise<void>;
}
