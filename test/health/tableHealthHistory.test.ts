import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { createTableHealthHistory } from "../../shared/adapters/tableHealthHistory.js";
import { evaluateHealth } from "../../shared/domain/health/evaluateHealth.js";
import type { HealthReport } from "../../shared/domain/health/healthReport.js";
import type { HealthHistoryPort } from "../../shared/ports/healthHistory.js";
import { azuriteTables } from "../../local/azurite.js";
import { syntheticEstate } from "../../local/bench/syntheticEstate.js";
import { sampleEstate } from "../helpers.js";
import { buildSnapshot, NOW } from "./snapshotBuilder.js";

const estate = sampleEstate();
let history: HealthHistoryPort;

beforeEach(async () => {
  history = await createTableHealthHistory(azuriteTables(inject("tableEndpoint"), `t${randomBytes(4).toString("hex")}`));
});

function reportAt(iso: string, id: string, e = estate): HealthReport {
  const at = new Date(iso);
  return evaluateHealth(e, buildSnapshot(e, {}, at), {
    reportId: id,
    trigger: "timer",
    isPastDue: id.endsWith("late"),
    startedAt: at,
    finishedAt: new Date(at.getTime() + 20_000),
  });
}

describe("health history in Table Storage (Azurite)", () => {
  it("keeps reports and lists them newest first, with their summary", async () => {
    await history.save(reportAt("2026-02-27T02:00:00Z", "health-a"));
    await history.save(reportAt("2026-03-01T02:00:00Z", "health-c-late"));
    await history.save(reportAt("2026-02-28T02:00:00Z", "health-b"));
    const entries = await history.list(estate.name, 10);
    expect(entries.map((e) => e.reportId)).toEqual(["health-c-late", "health-b", "health-a"]);
    expect(entries[0]).toMatchObject({
      estate: estate.name,
      trigger: "timer",
      isPastDue: true,
      overall: "green",
      counts: { green: 145, amber: 0, red: 0, unknown: 0 },
    });
    expect((await history.list(estate.name, 2)).length).toBe(2);
    expect(await history.list("another-estate", 10)).toEqual([]);
  });

  it("gives the whole report back, also one too big for a single column (gzipped across binary columns)", async () => {
    const small = reportAt("2026-03-01T02:00:00Z", "health-small");
    await history.save(small);
    expect(await history.get(estate.name, "health-small")).toEqual(small);

    const big = syntheticEstate(estate, 1000);
    const large = reportAt("2026-03-01T03:00:00Z", "health-large", big);
    expect(JSON.stringify(large).length).toBeGreaterThan(1_000_000);
    await history.save(large);
    expect(await history.get(big.name, "health-large")).toEqual(large);
    expect(await history.get(estate.name, "health-nope")).toBeUndefined();
  });

  it("saving the same report twice keeps one row", async () => {
    const report = reportAt("2026-03-01T02:00:00Z", "health-twice");
    await history.save(report);
    await history.save(report);
    expect((await history.list(estate.name, 10)).length).toBe(1);
  });

  describe("single-instance lease", () => {
    const t = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

    it("lets one holder in; a second one is told who holds it and until when", async () => {
      expect(await history.acquireLease(estate.name, "run-1", t(0), t(6))).toMatchObject({ acquired: true });
      expect(await history.acquireLease(estate.name, "run-2", t(1), t(7))).toEqual({ acquired: false, heldBy: "run-1", until: t(6).toISOString() });
    });

    it("two holders racing for it: exactly one gets it", async () => {
      const results = await Promise.all(["a", "b", "c", "d"].map((h) => history.acquireLease(estate.name, h, t(0), t(6))));
      expect(results.filter((r) => r.acquired)).toHaveLength(1);
    });

    it("an expired lease (a crashed run) is taken over; a released one is free again", async () => {
      await history.acquireLease(estate.name, "crashed", t(0), t(6));
      expect(await history.acquireLease(estate.name, "next", t(7), t(13))).toMatchObject({ acquired: true });
      await history.releaseLease(estate.name, "crashed"); // no longer its lease: changes nothing
      expect(await history.acquireLease(estate.name, "third", t(8), t(14))).toMatchObject({ acquired: false, heldBy: "next" });
      await history.releaseLease(estate.name, "next");
      expect(await history.acquireLease(estate.name, "third", t(8), t(14))).toMatchObject({ acquired: true });
    });
  });
});
