import type { TableClient } from "@azure/data-tables";
import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { azuriteTables } from "../../local/azurite.js";
import { openTable } from "../../shared/adapters/stateTables.js";
import { createTableIncidentStore } from "../../shared/adapters/tableIncidentStore.js";
import { ALERT_RECORDS_LIMIT, INCIDENT_STATE_MAX_CHARS, NO_INCIDENT, type AlertRecord } from "../../shared/domain/incidents/incidentState.js";
import type { IncidentStore } from "../../shared/ports/incidentStore.js";

const ESTATE = "contoso-vsphere";
let table: TableClient;
let store: IncidentStore;

beforeEach(async () => {
  const tables = azuriteTables(inject("tableEndpoint"), `n${randomBytes(4).toString("hex")}`);
  table = await openTable(tables, "incidents");
  store = createTableIncidentStore({ table });
});

describe("the incident row in Table Storage (Azurite)", () => {
  it("reads a row an older version wrote with raw dedupe keys, drops what is no longer used, and writes it back within the limit", async () => {
    const legacy = {
      ...NO_INCIDENT,
      seen: Array.from({ length: 10 }, (_, i) => `${String(i)}${"x".repeat(3000)}|Fired`),
      failoverRules: ["er-primary-bgp-availability"],
    };
    await table.createEntity({ partitionKey: ESTATE, rowKey: "current", state: JSON.stringify(legacy) });
    const read = await store.get(ESTATE);
    expect(read?.value).toEqual(NO_INCIDENT);
    await store.put(ESTATE, { ...(read?.value ?? NO_INCIDENT), rpoBreached: true }, read?.etag);
    const entity = await table.getEntity<{ state: string }>(ESTATE, "current");
    expect(entity.state).not.toContain("xxxx");
    expect((await store.get(ESTATE))?.value.rpoBreached).toBe(true);
  });

  it("keeps the row below the 64 KiB (32K character) property limit however large the alert records given to it are", async () => {
    const huge: AlertRecord[] = Array.from({ length: ALERT_RECORDS_LIMIT }, (_, i) => ({
      key: `${String(i)}-${"k".repeat(1000)}`,
      condition: "Fired",
      at: "2026-11-25T02:00:00.000Z",
    }));
    await store.put(ESTATE, { ...NO_INCIDENT, alerts: huge }, undefined);
    const entity = await table.getEntity<{ state: string }>(ESTATE, "current");
    expect(entity.state.length).toBeLessThanOrEqual(INCIDENT_STATE_MAX_CHARS);
    const kept = (await store.get(ESTATE))?.value.alerts ?? [];
    expect(kept.length).toBeGreaterThan(0);
    // The newest records are the ones kept.
    expect(kept.at(-1)?.key).toBe(huge.at(-1)?.key);
  });
});
