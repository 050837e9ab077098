import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { boundedText, MAX_AUDIT_TEXT_LENGTH, parseManualRunRequest } from "../../shared/runs/failoverRequest.js";
import { sampleEstate } from "../helpers.js";

const estate = sampleEstate();
const now = new Date("2026-11-25T02:00:00Z");

describe("parseManualRunRequest: shapes and limits", () => {
  it("names an unknown field by its (shortened) name", () => {
    const result = parseManualRunRequest({ mode: "test", reason: "drill", ["k".repeat(40_000)]: 1 }, estate, now);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]?.field).toMatch(/^k{80}… \(39920 more characters\)$/);
    expect(result.problems[0]?.message.length).toBeLessThan(400);
  });

  it("bounds reason, scope list sizes and name lengths", () => {
    const fieldOf = (body: unknown) => {
      const result = parseManualRunRequest(body, estate, now);
      return result.ok ? "ok" : result.problems[0]?.field;
    };
    expect(fieldOf({ mode: "test", reason: "r".repeat(501) })).toBe("reason");
    expect(fieldOf({ mode: "test", reason: "drill", scope: { vms: Array.from({ length: 101 }, (_, i) => `VM${i}`) } })).toBe("scope.vms");
    expect(fieldOf({ mode: "test", reason: "drill", scope: { tiers: ["web", "w".repeat(81)] } })).toBe("scope.tiers.1");
    expect(fieldOf({ mode: "test", reason: "drill", scope: { tiers: ["web", ""] } })).toBe("scope.tiers.1");
    expect(fieldOf({ mode: "test", reason: "drill", scope: { tiers: ["web"] } })).toBe("ok");
  });

  it("never throws, and every problem names a field, for any JSON body (property)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record(
            { mode: fc.constantFrom("test", "unplanned", "failback-prep"), reason: fc.string(), scope: fc.jsonValue(), recoveryPoint: fc.jsonValue() },
            { requiredKeys: [] },
          ),
        ),
        (body) => {
          const result = parseManualRunRequest(body, estate, now);
          if (!result.ok) {
            expect(result.problems.length).toBeGreaterThan(0);
            for (const p of result.problems) expect(p.field.length).toBeGreaterThan(0);
          }
        },
      ),
      { seed: 20_261_125, numRuns: 300 },
    );
  });
});

describe("boundedText", () => {
  it("replaces control characters and caps the length without splitting a character", () => {
    expect(boundedText("a\u0000b\nc\u2028d")).toBe("a b c d");
    const capped = boundedText("😀".repeat(2_000));
    expect(capped.length).toBeLessThan(MAX_AUDIT_TEXT_LENGTH + 40);
    expect(capped).toMatch(/^(😀)+… \(\d+ more characters\)$/);
  });
});
