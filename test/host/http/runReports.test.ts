import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RoundTripReport } from "../../../shared/reports/roundTripReport.js";
import type { RunReport } from "../../../shared/reports/runReport.js";
import { awaiting, finished, startTestApi, type TestApi } from "./httpHelpers.js";

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ faults: { unhealthyApp: ["WEB01"] } });
});
afterAll(() => api.stop());

/** Starts a run over HTTP and returns its id. */
async function start(body: Record<string, unknown>): Promise<string> {
  const started = await api.call("POST", "/api/failover", { as: "operator", body });
  expect(started.status, JSON.stringify(started.json)).toBe(202);
  return String(started.json.runId);
}

describe("run reports over HTTP", () => {
  it("serves the round trip as JSON and as a page, named by any of its runs; 404 for no run, 409 for a run that is no part of one", async () => {
    const failover = await start({ mode: "unplanned", scope: { vms: ["DC01"] }, reason: "primary site lost" });
    await api.waitForRun(failover, awaiting("approve"));
    await api.call("POST", `/api/runs/${failover}/approve`, { as: "approver" });
    await api.waitForRun(failover, awaiting("commit"));
    await api.call("POST", `/api/runs/${failover}/commit`, { as: "approver" });
    expect((await api.waitForRun(failover, finished)).outcome).toBe("succeeded");

    const prep = await start({ mode: "failback-prep", scope: { vms: ["DC01"] }, reason: "site is back" });
    await api.waitForRun(prep, awaiting("approve"));
    await api.call("POST", `/api/runs/${prep}/approve`, { as: "approver" });
    expect((await api.waitForRun(prep, finished)).outcome).toBe("succeeded");

    // Named by the later run, the round trip is the failover's, with both runs on its timeline.
    const trip = await api.call("GET", `/api/runs/${prep}/round-trip`, { as: "reader" });
    expect(trip.status).toBe(200);
    const report = trip.json as unknown as RoundTripReport & { links: Record<string, string> };
    expect(report.roundTripId).toBe(failover);
    expect(report.phases.map((p) => [p.phase, p.runId, p.outcome])).toEqual([
      ["failover", failover, "succeeded"],
      ["failbackPrep", prep, "succeeded"],
    ]);
    expect(report.status).toBe("inProgress");
    expect(report.vms.find((v) => v.vm === "DC01")).toMatchObject({
      failedOverAt: expect.any(String),
      reprotectedToOnPremisesAt: expect.any(String),
      failedBackAt: null,
    });
    expect(report.links).toEqual({ self: `/api/runs/${failover}/round-trip`, report: `/api/runs/${failover}/round-trip/report` });
    expect((await api.call("GET", `/api/runs/${failover}/round-trip`, { as: "reader" })).json).toEqual(trip.json);

    // The page: HTML under the reports' content security policy, each run linked to its own report page on the API.
    const page = await api.call("GET", report.links["report"] ?? "", { as: "reader" });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.text).toContain("Round trip to Azure and back");
    for (const runId of [failover, prep]) expect(page.text).toContain(`href="/api/runs/${runId}/report"`);
    expect((await api.call("GET", `/api/runs/${prep}/round-trip/report`, { as: "nobody" })).status).toBe(403);

    expect(await api.call("GET", "/api/runs/run-nope/round-trip", { as: "reader" })).toMatchObject({ status: 404, json: { detail: "no run 'run-nope'" } });
    expect(await api.call("GET", "/api/runs/run-nope/round-trip/report", { as: "reader" })).toMatchObject({
      status: 404,
      json: { detail: "no run 'run-nope'" },
    });
  });

  it("says a drill is no part of a round trip, and once its automatic cleanup removed its test VMs, its report says so instead of 'still run'", async () => {
    const drill = await start({ mode: "test", scope: { vms: ["WEB01"] }, reason: "drill with a broken app", finish: "automatic" });
    expect((await api.waitForRun(drill, finished)).outcome).toBe("failed");

    for (const path of [`/api/runs/${drill}/round-trip`, `/api/runs/${drill}/round-trip/report`]) {
      const refused = await api.call("GET", path, { as: "reader" });
      expect(refused).toMatchObject({ status: 409, json: { title: "Not part of a round trip", runId: drill } });
      expect(refused.json.detail).toBe(
        `run '${drill}' is a drill (test failover): a round trip is an unplanned failover and the failback preparation and failback that undo it`,
      );
    }

    // The simulated clock reaches the cleanup's due time once nothing else is queued: the cleanup run starts and ends.
    const cleanupRunId = `${drill}-cleanup`;
    await api.waitForRun(drill, (r) => (r as unknown as { automaticCleanup: { done: unknown } | null }).automaticCleanup?.done != null);
    // The cleanup is claimed on the drill's record just before its run is created.
    for (let i = 0; i < 200 && (await api.call("GET", `/api/runs/${cleanupRunId}`, { as: "reader" })).status === 404; i++)
      await new Promise((r) => setTimeout(r, 25));
    const cleanup = await api.waitForRun(cleanupRunId, finished);
    expect(cleanup.outcome).toBe("succeeded");
    const after = (await api.call("GET", `/api/runs/${drill}`, { as: "reader" })).json as unknown as RunReport;
    expect(after.estateAfter.testVmsLeft).toEqual([]);
    expect(after.estateAfter.summary).toBe(
      `The test VMs were removed by cleanup run ${cleanupRunId}, which ended at ${cleanup.finishedAt}; production was not touched.`,
    );
    const page = await api.call("GET", `/api/runs/${drill}/report`, { as: "reader" });
    expect(page.text).toContain(`removed by cleanup run ${cleanupRunId}`);
    expect(page.text).not.toMatch(/still run/);
  });
});
