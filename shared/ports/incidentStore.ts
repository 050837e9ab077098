import type { IncidentState } from "../domain/incidents/incidentState.js";
import type { Versioned } from "./runStore.js";

/** The estate's incident state, read and written with optimistic concurrency. */
export interface IncidentStore {
  get(estate: string): Promise<Versioned<IncidentState> | undefined>;
  /**
   * `etag` undefined creates the row (fails with 'Conflict' if it exists); otherwise If-Match.
   * Answers the state as stored (the oldest alert records may give way to the row's size limit) and its new ETag.
   */
  put(estate: string, state: IncidentState, etag: string | undefined): Promise<Versioned<IncidentState>>;
}
