import type { TableClient } from "@azure/data-tables";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { openTable } from "../../shared/adapters/stateTables.js";
import { createTableAuditLog, verifyTableAuditTrail } from "../../shared/adapters/tableAuditLog.js";
import type { AuditEntry, AuditLog } from "../../shared/ports/auditLog.js";
import { azuriteTables } from "../../local/azurite.js";
import { countTableOperations } from "../../local/bench/tableOperations.js";

const ESTATE = "contoso-vsphere";
let table: TableClient;
let audit: AuditLog;
let prefix: string;

beforeEach(async () => {
  prefix = `a${randomBytes(4).toString("hex")}`;
  table = await openTable(azuriteTables(inject("tableEndpoint"), prefix), "audit");
  audit = createTableAuditLog({ table, estate: ESTATE });
});

const entry = (n: number, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  at: new Date(Date.UTC(2026, 10, 25, 2, 0, n)).toISOString(),
  who: "otto@contoso.com",
  action: `action ${n}`,
  result: "accepted",
  ...extra,
});
const verify = () => verifyTableAuditTrail({ table, estate: ESTATE });

/** The stored row of entry `seq`, as an auditor with table access sees it. */
async function rowOf(seq: number): Promise<{ partitionKey: string; rowKey: string } & Record<string, unknown>> {
  for await (const row of table.listEntities<Record<string, unknown>>({ queryOptions: { filter: `seq eq ${seq}` } }))
    return row as { partitionKey: string; rowKey: string } & Record<string, unknown>;
  throw new Error(`no row ${seq}`);
}

describe("audit trail as a hash chain in Table Storage (Azurite)", () => {
  it("chains every entry to the one before and lists them newest first", async () => {
    for (let n = 1; n <= 5; n++) await audit.append(entry(n, n === 3 ? { runId: "run-1", detail: "why" } : {}));
    expect(await verify()).toMatchObject({ ok: true, entries: 5 });
    const listed = await audit.list();
    expect(listed.map((e) => e.action)).toEqual(["action 5", "action 4", "action 3", "action 2", "action 1"]);
    expect(listed[2]).toEqual(entry(3, { runId: "run-1", detail: "why" }));
    expect(await audit.list({ runId: "run-1" })).toHaveLength(1);
    const third = await rowOf(3);
    expect(third["prevHash"]).toBe((await rowOf(2))["hash"]);
  });

  it("names the first entry that was edited, removed, or cut off the end", async () => {
    for (let n = 1; n <= 6; n++) await audit.append(entry(n));
    const edited = await rowOf(2);
    await table.updateEntity({ partitionKey: edited.partitionKey, rowKey: edited.rowKey, result: "refused 403" }, "Merge");
    expect(await verify()).toMatchObject({ ok: false, brokenAt: 2, reason: expect.stringMatching(/changed/) });
    await table.updateEntity({ partitionKey: edited.partitionKey, rowKey: edited.rowKey, result: "accepted" }, "Merge");
    expect(await verify()).toMatchObject({ ok: true, entries: 6 });

    const removed = await rowOf(4);
    await table.deleteEntity(removed.partitionKey, removed.rowKey);
    expect(await verify()).toMatchObject({ ok: false, brokenAt: 5, reason: expect.stringMatching(/entry 4 is missing/) });
    await table.createEntity(removed);

    const newest = await rowOf(6);
    await table.deleteEntity(newest.partitionKey, newest.rowKey);
    expect(await verify()).toMatchObject({ ok: false, brokenAt: 6, reason: expect.stringMatching(/newer entries were removed/) });
  });

  it("keeps one unbroken chain when writers append at the same time", async () => {
    const other = createTableAuditLog({ table, estate: ESTATE });
    await Promise.all(Array.from({ length: 24 }, (_, n) => (n % 2 === 0 ? audit : other).append(entry(n))));
    expect(await verify()).toMatchObject({ ok: true, entries: 24 });
    expect(new Set((await audit.list()).map((e) => e.action)).size).toBe(24);
  });

  it("commits the entries that arrive while a transaction is in flight together, in arrival order", async () => {
    const requests = countTableOperations(inject("tableEndpoint"), { tablePrefix: prefix });
    // Forty appends in one tick: the first goes alone, the other 39 wait for it and go in the next transaction.
    await Promise.all(Array.from({ length: 40 }, (_, n) => audit.append(entry(n))));
    await audit.append(entry(40));
    requests.stop();
    // One head read (the chain's first append); then the head's ETag from each commit is used for the next.
    expect(requests.counts().byRequest).toEqual({ "GET audit": 1, "POST $batch": 3 });
    expect(await verify()).toMatchObject({ ok: true, entries: 41 });
    const oldestFirst = (await audit.list()).reverse();
    expect(oldestFirst.map((e) => e.action)).toEqual(Array.from({ length: 41 }, (_, n) => `action ${n}`));
  });

  it("splits a batch larger than one transaction may be (100 entities)", async () => {
    await Promise.all(Array.from({ length: 250 }, (_, n) => audit.append(entry(n))));
    expect(await verify()).toMatchObject({ ok: true, entries: 250 });
  });

  it("fails only the entry the service refuses, not the others committed with it", async () => {
    await audit.append(entry(0));
    // A string property holds at most 64 KiB (32K UTF-16 characters): Table Storage refuses the entity.
    const tooLarge = entry(2, { detail: "x".repeat(40_000) });
    const results = await Promise.allSettled([audit.append(entry(1)), audit.append(tooLarge), audit.append(entry(3))]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(await verify()).toMatchObject({ ok: true, entries: 3 });
    expect((await audit.list()).map((e) => e.action)).toEqual(["action 3", "action 1", "action 0"]);
  });

  it("reads the head again when another writer moved it since this writer's last commit", async () => {
    const other = createTableAuditLog({ table, estate: ESTATE });
    await audit.append(entry(1));
    await other.append(entry(2));
    await audit.append(entry(3));
    await other.append(entry(4));
    expect(await verify()).toMatchObject({ ok: true, entries: 4 });
    expect((await audit.list()).map((e) => e.action)).toEqual(["action 4", "action 3", "action 2", "action 1"]);
  });

  it("is checked by npm run audit-verify, which exits 1 at the first break", async () => {
    for (let n = 1; n <= 3; n++) await audit.append(entry(n));
    const run = () =>
      spawnSync(
        process.execPath,
        ["--import", "tsx", "local/auditVerify.ts", "--table-uri", inject("tableEndpoint"), "--estate", ESTATE, "--table", table.tableName],
        { encoding: "utf8", timeout: 60_000 },
      );
    const good = run();
    expect(good.status, good.stderr).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ ok: true, entries: 3 });
    const second = await rowOf(2);
    await table.updateEntity({ partitionKey: second.partitionKey, rowKey: second.rowKey, who: "mallory@contoso.com" }, "Merge");
    const bad = run();
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, brokenAt: 2 });
  });
});
