import type { TableClient } from "@azure/data-tables";
import { NO_INCIDENT, type IncidentState } from "../domain/alerts/incidentState.js";
import { DrError } from "../ports/errors.js";
import type { IncidentStore } from "../ports/incidentStore.js";
import { callAzure } from "./azureErrors.js";

const ROW = "current";

/** One row per estate in the `incidents` table; the state is a JSON column under the row's ETag. */
export function createTableIncidentStore({ table }: { table: TableClient }): IncidentStore {
  return {
    async get(estate) {
      try {
        const entity = await callAzure("read incident", () => table.getEntity<{ state: string }>(estate, ROW));
        return { value: { ...NO_INCIDENT, ...(JSON.parse(entity.state) as Partial<IncidentState>) }, etag: entity.etag };
      } catch (error) {
        if (error instanceof DrError && error.code === "NotFound") return undefined;
        throw error;
      }
    },
    async put(estate, state, etag) {
      const entity = { partitionKey: estate, rowKey: ROW, state: JSON.stringify(state) };
      const result = await callAzure("write incident", () => (etag ? table.updateEntity(entity, "Replace", { etag }) : table.createEntity(entity)));
      return result.etag ?? "";
    },
  };
}
