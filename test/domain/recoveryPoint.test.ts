import { describe, expect, it } from "vitest";
import { chooseRecoveryPoint, isAppConsistent } from "../../shared/domain/recoveryPoint.js";

const now = new Date("2026-11-25T12:00:00Z");
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
const points = [
  { id: "crash-5", time: minutesAgo(5), type: "CrashConsistent" },
  { id: "app-40", time: minutesAgo(40), type: "AppConsistent" },
  { id: "crash-10", time: minutesAgo(10), type: "CrashConsistent" },
  { id: "app-100", time: minutesAgo(100), type: "ApplicationConsistent" },
];

describe("chooseRecoveryPoint", () => {
  it("sends no point for 'latest' (ASR's lowest RPO) and keeps the data ASR last received; 'latestProcessed' takes the newest listed point", () => {
    const latest = chooseRecoveryPoint(points, "latest", now, 5, minutesAgo(2));
    expect(latest).toMatchObject({ ok: true, dataAsOf: minutesAgo(2), explanation: expect.stringContaining("lowest RPO") });
    expect(latest.ok && latest.point).toBeUndefined();
    // Without ASR's last-received time the newest listed point is the honest estimate of what it keeps.
    expect(chooseRecoveryPoint(points, "latest", now, 5)).toMatchObject({ ok: true, dataAsOf: minutesAgo(5) });
    expect(chooseRecoveryPoint(points, "latestProcessed", now, 5)).toMatchObject({
      ok: true,
      point: points[0],
      dataAsOf: minutesAgo(5),
      explanation: expect.stringContaining("lowest RTO"),
    });
  });

  it("takes the newest app-consistent point in either of ASR's spellings", () => {
    expect(isAppConsistent("AppConsistent") && isAppConsistent("ApplicationConsistent") && !isAppConsistent("CrashConsistent")).toBe(true);
    expect(chooseRecoveryPoint(points, "latestAppConsistent", now, 5)).toMatchObject({ ok: true, point: points[1] });
    expect(chooseRecoveryPoint([points[0]!, points[3]!], "latestAppConsistent", now, 5)).toMatchObject({ ok: true, point: points[3] });
  });

  it("takes the newest point at or before a requested time", () => {
    expect(chooseRecoveryPoint(points, { at: minutesAgo(60).toISOString() }, now, 5)).toMatchObject({ ok: true, point: points[3] });
  });

  it("refuses times outside retention, in the future, or before every point", () => {
    expect(chooseRecoveryPoint(points, { at: minutesAgo(6 * 24 * 60).toISOString() }, now, 5)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("outside the 5-day retention"),
    });
    expect(chooseRecoveryPoint(points, { at: minutesAgo(-5).toISOString() }, now, 5)).toMatchObject({ ok: false, reason: expect.stringContaining("future") });
    expect(chooseRecoveryPoint(points, { at: minutesAgo(200).toISOString() }, now, 5)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("no recovery point at or before"),
    });
    expect(chooseRecoveryPoint([], "latestProcessed", now, 5)).toEqual({ ok: false, reason: "no recovery point exists" });
    expect(chooseRecoveryPoint([], "latest", now, 5)).toMatchObject({ ok: false });
  });
});
