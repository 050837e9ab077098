import type { TableClient } from "@azure/data-tables";
import { boundAlertRecords, INCIDENT_STATE_MAX_CHARS, NO_INCIDENT, type IncidentState } from "../domain/incidents/incidentState.js";
import { DrError } from "../ports/errors.js";
import type { IncidentStore } from "../ports/incidentStore.js";
import { callAzure } from "./azureErrors.js";

const ROW = "current";

/**
 * One row per estate in the `incidents` table; the state is a JSON column under the row's ETag.
 * A string property holds at most 64 KiB of UTF-16, 32K characters (learn.microsoft.com/rest/api/
 * storageservices/understanding-the-table-service-data-model; Azurite answers PropertyValueTooLarge
 * past it), so the state is kept below it: only
 * known fields are read back (a row written by an older version drops what it no longer uses), and
 * the oldest alert records are dropped before a write would pass INCIDENT_STATE_MAX_CHARS.
 */
export function createTableIncidentStore({ table }: { table: TableClient }): IncidentStore {
  return {
    async get(estate) {
      try {
        const entity = await callAzure("read incident", () => table.getEntity<{ state: string }>(estate, ROW));
        return { value: knownFields(JSON.parse(entity.state) as Partial<IncidentState>), etag: entity.etag };
      } catch (error) {
        if (error instanceof DrError && error.code === "NotFound") return undefined;
        throw error;
      }
    },
    async put(estate, state, etag) {
      const text = serialise(state);
      const entity = { partitionKey: estate, rowKey: ROW, state: text };
      const result = await callAzure("write incident", () => (etag ? table.updateEntity(entity, "Replace", { etag }) : table.createEntity(entity)));
      // What a read of the row would give now: the writer may decide its next change on it without reading.
      return { value: knownFields(JSON.parse(text) as Partial<IncidentState>), etag: result.etag ?? "" };
    },
  };
}

function knownFields(stored: Partial<IncidentState>): IncidentState {
  const state = Object.fromEntries(
    Object.keys(NO_INCIDENT).map((k) => [k, (stored as Record<string, unknown>)[k] ?? (NO_INCIDENT as unknown as Record<string, unknown>)[k]]),
  ) as unknown as IncidentState;
  return { ...state, alerts: boundAlertRecords(Array.isArray(state.alerts) ? state.alerts : []) };
}

/** JSON of the state within the property limit: alert records (dedupe history) give way first. */
function serialise(state: IncidentState): string {
  let current = state;
  let text = JSON.stringify(current);
  while (text.length > INCIDENT_STATE_MAX_CHARS && current.alerts.length > 0) {
    current = { ...current, alerts: current.alerts.slice(Math.ceil(current.alerts.length / 2)) };
    text = JSON.stringify(current);
  }
  if (text.length > INCIDENT_STATE_MAX_CHARS)
    throw new DrError("InvalidInput", `incident state of ${text.length} characters exceeds the ${INCIDENT_STATE_MAX_CHARS} character row budget`);
  return text;
}
