import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { azuriteTables } from "../../../local/azurite.js";
import { createTableHealthHistory } from "../../../shared/adapters/tableHealthHistory.js";
import type { CheckStatus, HealthReport } from "../../../shared/domain/health/healthReport.js";
import type { HealthHistoryPort } from "../../../shared/ports/healthHistory.js";
import { freshAlertJson } from "../../incidents/freshAlert.js";
import { finished, startTestApi, type TestApi } from "./httpHelpers.js";

let api: TestApi;
let health: HealthHistoryPort;

beforeAll(async () => {
  api = await startTestApi({ settings: { DRILL_SCOPE: "tiers:web", DRILL_CLEANUP_AFTER_MINUTES: "30" } });
  health = await createTableHealthHistory(azuriteTables(inject("tableEndpoint"), api.sandbox.stack.tablePrefix));
});
afterAll(() => api.stop());

const fireDrill = async (): Promise<void> => {
  const response = await fetch(`${api.sandbox.url}/admin/functions/scheduledDrill`, {
    method: "POST",
    headers: { "x-functions-key": api.sandbox.masterKey, "content-type": "application/json" },
    body: "{}",
  });
  expect(response.status).toBe(202);
};
const drillAudit = async (): Promise<{ result: string; detail?: string; runId?: string }[]> =>
  (
    (await api.call("GET", "/api/audit?limit=1000", { as: "reader" })).json.entries as { action: string; result: string; detail?: string; runId?: string }[]
  ).filter((e) => e.action === "scheduled drill");
const runs = async (): Promise<{ runId: string; trigger: string; status: string }[]> =>
  (await api.call("GET", "/api/runs", { as: "reader" })).json.runs as { runId: string; trigger: string; status: string }[];

function healthReport(overall: CheckStatus, summary: string): HealthReport {
  const at = api.sandbox.stack.clock.now().toISOString();
  const counts = { green: 0, amber: 0, red: 0, unknown: 0, [overall]: 1 };
  return {
    reportId: `health-${overall}-${at}`,
    estate: api.sandbox.stack.estate.name,
    trigger: "test",
    isPastDue: false,
    startedAt: at,
    finishedAt: at,
    overall,
    counts,
    summary,
    vms: [],
    estateChecks: [],
    thresholds: {},
  };
}

describe("scheduled drills", () => {
  it("runs a test failover of the configured scope, cleans up on its own after the configured time, and keeps the report in the history", async () => {
    // No health report yet: nobody vouched for the estate, so the drill waits for one.
    await fireDrill();
    expect((await drillAudit())[0]).toMatchObject({ result: "skipped", detail: expect.stringMatching(/no health report yet/) });
    expect(await runs()).toEqual([]);
    await health.save(healthReport("green", "all good"));
    await fireDrill();
    const [drill] = await runs();
    expect(drill).toMatchObject({ trigger: "scheduled drill", status: "running" });
    const done = await api.waitForRun(drill?.runId ?? "", finished);
    expect(done.outcome).toBe("succeeded");
    expect(done.steps.filter((s) => s.kind === "failover").map((s) => s.target)).toEqual(["WEB01", "WEB02", "WEB03"]);
    expect(done.steps.find((s) => s.id === "await-cleanup")?.detail).toMatch(/on schedule, 30 min/);
    // The inspection window is not recovery time: RTO ends when the last tier is ready.
    expect(done.rtoSeconds).toBeLessThan((done.durationSeconds ?? 0) - 30 * 60 + 1);
    await api.sandbox.idle();
    expect(api.sandbox.stack.azure.existingVmNames().filter((n) => n.endsWith("-test"))).toEqual([]);

    await health.save(healthReport("green", "still good"));
    await fireDrill();
    const second = (await runs())[0];
    expect(second?.runId).not.toBe(drill?.runId);
    await api.waitForRun(second?.runId ?? "", finished);
    const page = await api.call("GET", `/api/runs/${second?.runId ?? ""}/report`, { as: "reader" });
    expect(page.text).toContain("Earlier drills");
    expect(page.text).toContain(`data-run-id="${drill?.runId ?? ""}"`);
    expect((await drillAudit()).filter((e) => e.result === "started")).toHaveLength(2);
  });

  it("skips, and says why, while the latest health check is red, the kill switch is on, or an incident is open", async () => {
    const count = (await runs()).length;
    await health.save(healthReport("red", "3 VMs without app-consistent points"));
    await fireDrill();
    expect((await drillAudit())[0]).toMatchObject({ result: "skipped", detail: expect.stringMatching(/latest health check .* is red: 3 VMs/) });
    await health.save(healthReport("green", "fixed"));

    expect(await api.call("POST", "/api/killswitch", { as: "admin", body: { on: "yes", reason: "freeze" } })).toMatchObject({
      status: 400,
      json: { field: "on" },
    });
    const on = await api.call("POST", "/api/killswitch", { as: "admin", body: { on: true, reason: "change freeze" } });
    expect(on).toMatchObject({ status: 200, json: { killSwitch: { on: true, by: "ada.admin@contoso.com", reason: "change freeze" } } });
    await fireDrill();
    expect((await drillAudit())[0]).toMatchObject({ result: "skipped", detail: expect.stringMatching(/kill switch is on/) });
    expect((await api.call("POST", "/api/killswitch", { as: "admin", body: { on: false, reason: "freeze over" } })).json).toMatchObject({
      killSwitch: { on: false },
    });

    const alert = await fetch(`${api.sandbox.url}/api/alerts`, {
      method: "POST",
      headers: { "x-functions-key": api.sandbox.identity.alertKey, "content-type": "application/json" },
      body: JSON.stringify(freshAlertJson("expressroute-primary-down.json", api.sandbox.stack.clock.now())),
    });
    expect(alert.status).toBe(202);
    await fireDrill();
    expect((await drillAudit())[0]).toMatchObject({ result: "skipped", detail: expect.stringMatching(/incident inc-.* is open/) });
    expect((await runs()).length).toBe(count);

    // Nothing waits for an approval: the approver is told so.
    expect(await api.call("POST", "/api/incidents/approve", { as: "approver" })).toMatchObject({ status: 409, json: { title: "Nothing to approve" } });
  });
});
