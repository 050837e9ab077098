/** What an Idempotency-Key header was first used for. */
export interface IdempotencyRecord {
  /** The caller's key, scoped to the caller (`<principal id>:<key>`). */
  readonly key: string;
  /** Hash of the request the key was first sent with: the same key with another body is refused. */
  readonly fingerprint: string;
  readonly runId: string;
  readonly createdAt: string;
}

/** Idempotency-Key header → run id, kept in Table Storage so a retried or double-clicked start finds its run. */
export interface IdempotencyStore {
  /**
   * Stores the record unless the key is taken; answers the stored record either way (`created`
   * tells which). A stored record created before `expiredBefore` counts as free and is replaced.
   */
  claim(record: IdempotencyRecord, expiredBefore: Date): Promise<{ readonly created: boolean; readonly record: IdempotencyRecord }>;
  /** Forgets a key whose run was never started (refused with 409), so a later retry can start it. */
  release(key: string, runId: string): Promise<void>;
}
