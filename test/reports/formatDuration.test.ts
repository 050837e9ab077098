import { describe, expect, it } from "vitest";
import { formatDuration } from "../../shared/reports/formatDuration.js";

describe("formatDuration", () => {
  it("writes minutes and seconds up to two hours, as RTO targets are stated", () => {
    expect(formatDuration(41 * 60 + 12)).toBe("41 min 12 s");
    expect(formatDuration(3600)).toBe("60 min");
    expect(formatDuration(119 * 60 + 59)).toBe("119 min 59 s");
    expect(formatDuration(59.6)).toBe("1 min");
    expect(formatDuration(42)).toBe("42 s");
    expect(formatDuration(0)).toBe("0 s");
  });

  it("writes hours and minutes from two hours on, dropping seconds", () => {
    expect(formatDuration(7200)).toBe("2 h");
    expect(formatDuration(4 * 3600 + 5 * 60 + 30)).toBe("4 h 5 min");
  });

  it("never shows a negative or a non-number", () => {
    expect(formatDuration(-5)).toBe("0 s");
    expect(formatDuration(NaN)).toBe("—");
    expect(formatDuration(Infinity)).toBe("—");
    expect(formatDuration(-Infinity)).toBe("—");
  });
});
