import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drillAsExpected, runDrill } from "../../local/drill.js";
import { findScenario } from "../../local/scenarios.js";
import { sampleEstate } from "../helpers.js";

let outDir: string;
beforeAll(async () => {
  outDir = await mkdtemp(path.join(tmpdir(), "drill-scenarios-"));
});
afterAll(() => rm(outDir, { recursive: true, force: true }));

describe("drill scenarios driven through the alert path", () => {
  it("nat-loss: the Resource Health alert debounces, then the edge tier alone fails over and its route follows the recovered NAT", async () => {
    const scenario = findScenario("nat-loss");
    const result = await runDrill({ estate: sampleEstate(), scenario, outDir, print: () => undefined });
    expect(result.incident?.decisions.map((d) => d.result)).toEqual(["debouncing", "startRun"]);
    expect(result.request).toEqual({ mode: "unplanned", scope: { kind: "tiers", tiers: ["edge"] } });
    expect(result.report).toMatchObject({ outcome: "succeeded", trigger: expect.stringMatching(/^incident inc-/) });
    const kinds = result.report?.steps.map((s) => s.kind) ?? [];
    expect(kinds).toEqual(expect.arrayContaining(["failover", "enableIpForwarding", "updateRoute", "commit"]));
    expect(new Set(result.report?.steps.flatMap((s) => (s.kind === "failover" ? [s.target] : [])))).toEqual(new Set(["NAT01"]));
    expect(drillAsExpected(scenario, result)).toBe(true);
  }, 60_000);

  it("rpo-breach: nothing fails over, people are told, and a health check runs now and shows the breach", async () => {
    const scenario = findScenario("rpo-breach");
    const result = await runDrill({ estate: sampleEstate(), scenario, outDir, print: () => undefined });
    expect(result.report).toBeUndefined();
    expect(result.incident).toMatchObject({ runId: null, decisions: [{ result: "diagnose" }] });
    expect(result.incident?.notifications).toEqual(
      expect.arrayContaining([expect.stringMatching(/^incidentDecision: replication is behind the 30 min RPO/), expect.stringMatching(/^healthCheck: RED/)]),
    );
    expect(result.incident?.healthCheck).toMatchObject({ overall: "red", summary: expect.stringMatching(/API03 RPO/) });
    expect(result.arm.failoverCalls).toEqual({});
    expect(drillAsExpected(scenario, result)).toBe(true);
  }, 60_000);
});
