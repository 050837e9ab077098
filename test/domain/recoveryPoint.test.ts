import { describe, expect, it } from "vitest";
import { chooseRecoveryPoint } from "../../shared/domain/recoveryPoint.js";

const now = new Date("2026-11-25T12:00:00Z");
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
const points = [
  { id: "crash-5", time: minutesAgo(5), type: "CrashConsistent" },
  { id: "app-40", time: minutesAgo(40), type: "AppConsistent" },
  { id: "crash-10", time: minutesAgo(10), type: "CrashConsistent" },
  { id: "app-100", time: minutesAgo(100), type: "AppConsistent" },
];

describe("chooseRecoveryPoint", () => {
  it("takes the newest point for 'latest' and the newest app-consistent one when asked", () => {
    expect(chooseRecoveryPoint(points, "latest", now, 5)).toEqual({ ok: true, point: points[0] });
    expect(chooseRecoveryPoint(points, "latestAppConsistent", now, 5)).toEqual({ ok: true, point: points[1] });
  });

  it("takes the newest point at or before a requested time", () => {
    expect(chooseRecoveryPoint(points, { at: minutesAgo(60).toISOString() }, now, 5)).toEqual({ ok: true, point: points[3] });
  });

  it("refuses times outside retention, in the future, or before every point", () => {
    expect(chooseRecoveryPoint(points, { at: minutesAgo(6 * 24 * 60).toISOString() }, now, 5)).toMatchObject({ ok: false, reason: expect.stringContaining("outside the 5-day retention") });
    expect(chooseRecoveryPoint(points, { at: minutesAgo(-5).toISOString() }, now, 5)).toMatchObject({ ok: false, reason: expect.stringContaining("future") });
    expect(chooseRecoveryPoint(points, { at: minutesAgo(200).toISOString() }, now, 5)).toMatchObject({ ok: false, reason: expect.stringContaining("no recovery point at or before") });
    expect(chooseRecoveryPoint([], "latest", now, 5)).toEqual({ ok: false, reason: "no recovery point exists" });
  });
});
