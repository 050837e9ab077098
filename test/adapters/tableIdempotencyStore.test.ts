import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { openTable } from "../../shared/adapters/stateTables.js";
import { createTableIdempotencyStore, IDEMPOTENCY_TABLE } from "../../shared/adapters/tableIdempotencyStore.js";
import type { IdempotencyRecord, IdempotencyStore } from "../../shared/ports/idempotency.js";
import { azuriteTables } from "../../local/azurite.js";

const DAY = 24 * 3_600_000;
const T0 = new Date("2026-11-25T02:00:00Z");
let store: IdempotencyStore;

beforeEach(async () => {
  const table = await openTable(azuriteTables(inject("tableEndpoint"), `i${randomBytes(4).toString("hex")}`), IDEMPOTENCY_TABLE);
  store = createTableIdempotencyStore({ table, estate: "contoso-vsphere" });
});

const record = (runId: string, at: Date, fingerprint = "f1"): IdempotencyRecord => ({
  key: "oid-1:drill/web 25.11",
  fingerprint,
  runId,
  createdAt: at.toISOString(),
});
const expiredBefore = (now: Date) => new Date(now.getTime() - DAY);

describe("Idempotency-Key records in Table Storage (Azurite)", () => {
  it("binds a key to the first run; a repeat within the lifetime gets that run back", async () => {
    expect(await store.claim(record("run-a", T0), expiredBefore(T0))).toEqual({ created: true, record: record("run-a", T0) });
    const later = new Date(T0.getTime() + DAY - 60_000);
    expect(await store.claim(record("run-b", later, "f2"), expiredBefore(later))).toEqual({ created: false, record: record("run-a", T0) });
  });

  it("lets an expired key start afresh, and only one of two racing callers wins it", async () => {
    await store.claim(record("run-a", T0), expiredBefore(T0));
    const nextDay = new Date(T0.getTime() + DAY + 60_000);
    const [b, c] = await Promise.all([
      store.claim(record("run-b", nextDay), expiredBefore(nextDay)),
      store.claim(record("run-c", nextDay), expiredBefore(nextDay)),
    ]);
    expect([b.created, c.created].sort()).toEqual([false, true]);
    const winner = b.created ? "run-b" : "run-c";
    expect(b.record.runId).toBe(winner);
    expect(c.record.runId).toBe(winner);
  });

  it("frees a key whose run never started, and leaves a key bound to another run alone", async () => {
    await store.claim(record("run-a", T0), expiredBefore(T0));
    await store.release(record("run-a", T0).key, "run-other");
    expect((await store.claim(record("run-b", T0), expiredBefore(T0))).created).toBe(false);
    await store.release(record("run-a", T0).key, "run-a");
    expect(await store.claim(record("run-b", T0), expiredBefore(T0))).toEqual({ created: true, record: record("run-b", T0) });
  });
});
