import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RoundTripReport } from "../../shared/reports/roundTripReport.js";
import { readFile } from "node:fs/promises";
import { drillAsExpected, runDrill } from "../../local/drill.js";
import { findScenario } from "../../local/scenarios.js";
import { parseEstate } from "../../shared/domain/estate.js";
import { sampleEstate, sampleEstateJson } from "../helpers.js";

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

describe("the failback scenario: the whole round trip through the real engine", () => {
  it("fails over and commits, reprotects, waits for replication back, fails back once per VM, commits and protects every VM towards Azure again", async () => {
    // One VM per tier keeps the three runs quick; every tier, DNS record and route of the sample estate is still in them.
    const json = sampleEstateJson() as { readonly vms: readonly { readonly name: string }[] };
    const estate = parseEstate({ ...json, vms: json.vms.filter((vm) => ["DC01", "NAT01", "API01", "WEB01", "REC01"].includes(vm.name)) });
    const scenario = findScenario("failback");
    const result = await runDrill({ estate, scenario, outDir, print: () => undefined });
    const trip = result.roundTrip;
    if (!trip) throw new Error("the failback scenario reports its round trip");
    expect(trip.stoppedBecause).toBeNull();
    expect(result.misuse).toEqual([]);

    // Every VM is back where it started: replicating from vSphere to Azure.
    expect(trip.finalItems).toEqual(
      estate.vms.map((vm) => ({ vm: vm.name, provider: "InMageRcm", activeLocation: "Primary", protectionState: "Protected", replicationHealth: "Normal" })),
    );
    // Names and routes hold what they held before the failover (and the failover had moved them).
    expect(trip.namesBack).toHaveLength(estate.dns.length + estate.routes.length);
    expect(trip.namesBack.filter((n) => n.after !== n.before)).toEqual([]);
    expect(trip.report.dnsChanges.filter((c) => c.zoneType !== "activeDirectory").map((c) => c.restore)).toEqual(estate.dns.map(() => "restored"));
    expect(trip.report.dnsChanges.filter((c) => c.restore !== "restored" || c.onPremises.length === 0 || c.recovery.length === 0)).toEqual([]);
    expect(trip.report.routeChanges.map((c) => [c.restore, c.onPremises])).toEqual(
      estate.routes.map((r) => ["restored", trip.namesBack.find((n) => n.name === `${r.routeTable}/${r.route}`)?.before]),
    );

    // Exactly one planned failover per VM: one accepted POST and one ASR job each.
    expect(trip.plannedFailovers).toEqual({ jobsByVm: Object.fromEntries(estate.vms.map((vm) => [vm.name, 1])), accepted: estate.vms.length });

    // Three runs, linked to the failover by request.failoverRunId, approved by someone other than their requester.
    const [there, prep, back] = trip.runs;
    expect(trip.runs.map((r) => [r.report.mode, r.report.outcome])).toEqual([
      ["unplanned", "succeeded"],
      ["failback-prep", "succeeded"],
      ["failback", "succeeded"],
    ]);
    const failoverRunId = there?.report.runId;
    expect(prep?.request.failoverRunId).toBe(failoverRunId);
    expect(back?.request.failoverRunId).toBe(failoverRunId);
    expect(trip.report.phases.map((p) => [p.phase, p.approvedBy])).toEqual([
      ["failover", "anna.approver@contoso.com"],
      ["failbackPrep", "anna.approver@contoso.com"],
      ["failback", "anna.approver@contoso.com"],
    ]);
    expect(trip.replicationWait).toMatchObject({ caughtUp: true, looks: expect.any(Number) });
    expect(trip.replicationWait.simulatedSeconds).toBeGreaterThan(0);

    // The round-trip report, as written beside the three run reports.
    const written = JSON.parse(await readFile(trip.reportPaths.json, "utf8")) as RoundTripReport;
    expect(trip.reportPaths.json).toBe(path.join(outDir, `roundtrip-${failoverRunId}.json`));
    expect(written).toMatchObject({
      roundTripId: failoverRunId,
      status: "complete",
      failover: { runId: failoverRunId, rtoMet: true },
      replicationBack: { seconds: expect.any(Number) },
      failback: { runId: back?.report.runId, approvedBy: "anna.approver@contoso.com", downtimeSeconds: expect.any(Number) },
    });
    expect(written.failback?.tiers.map((t) => t.tier)).toEqual(["identity", "edge", "api", "web", "recommendation"]);
    expect(written.failback?.downtimeSeconds).toBeLessThan(written.durationSeconds);
    expect(written.vms.every((v) => v.failedOverAt && v.reprotectedToOnPremisesAt && v.failedBackAt && v.reprotectedToAzureAt)).toBe(true);
    for (const run of trip.runs) {
      const json = JSON.parse(await readFile(run.reportPaths.json, "utf8")) as Record<string, unknown>;
      for (const field of ["runId", "mode", "trigger", "startedAt", "finishedAt", "outcome", "rtoSeconds", "steps"]) expect(json).toHaveProperty(field);
    }
    expect(await readFile(trip.reportPaths.html, "utf8")).toContain(`href="${back?.report.runId}.html"`);
    expect(drillAsExpected(scenario, result)).toBe(true);
  }, 120_000);
});
