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
