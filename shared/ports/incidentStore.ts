import type { IncidentState } from "../domain/incidents/incidentState.js";
import type { Versioned } from "./runStore.js";

/** The estate's incident state, read and written with optimistic concurrency. */
export interface IncidentStore {
  get(estate: string): Promise<Versioned<IncidentState> | undefined>;
  /** `etag` undefined creates the row (fails with 'Conflict' if it exists); otherwise If-Match. */
  put(estate: string, state: IncidentState, etag: string | undefined): Promise<string>;
}
