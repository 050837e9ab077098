import { afterEach, describe, expect, it } from "vitest";
import { INCIDENT_STATE_MAX_CHARS } from "../../shared/domain/incidents/incidentState.js";
import { parseEstate } from "../../shared/domain/estate.js";
import { silentLogger } from "../../shared/ports/logger.js";
import { readSample, sampleEstateJson } from "../helpers.js";
import { awaiting, finished, startTestApi, type HttpResult, type TestApi } from "../host/http/httpHelpers.js";
import { freshAlertJson } from "./freshAlert.js";

/** Both circuits report 0% BGP/ARP in simulated Azure: the source agrees with the alerts. */
const SITE_CUT_OFF = { health: { expressRouteDown: ["er-contoso-primary", "er-contoso-secondary"] } };

let api: TestApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

type Essentials = Record<string, unknown>;
const essentialsOf = (alert: Record<string, unknown>): Essentials => (alert as { data: { essentials: Essentials } }).data.essentials;

async function postAlert(box: TestApi, alert: unknown): Promise<HttpResult> {
  return box.call("POST", "/api/alerts", { body: alert, headers: { "x-functions-key": box.sandbox.identity.alertKey } });
}

async function auditOf(box: TestApi, action: string): Promise<{ result: string; detail?: string }[]> {
  return (await box.sandbox.stack.root.audit.list()).filter((e) => e.action === action);
}

const now = (box: TestApi): Date => box.sandbox.stack.clock.now();
const incident = (box: TestApi) => box.sandbox.stack.root.alertsFor(silentLogger).current();

describe("the alert path never fails the site over by mistake", () => {
  it("makes a start the run lock refuses during a drill a decision for people, and no unrelated transaction starts it", async () => {
    api = await startTestApi({ faults: SITE_CUT_OFF });
    const drill = await api.call("POST", "/api/failover", { as: "operator", body: { mode: "test", scope: "all", reason: "quarterly DR drill" } });
    expect(drill.status).toBe(202);
    const drillId = String(drill.json.runId);
    await api.waitForRun(drillId, awaiting("cleanup"));

    expect((await postAlert(api, freshAlertJson("expressroute-primary-down.json", now(api)))).json.outcome).toBe("warning");
    expect((await postAlert(api, freshAlertJson("expressroute-secondary-down.json", now(api)))).json.outcome).toBe("debouncing");
    await api.sandbox.idle();

    // The check decided to fail over, the drill's lock refused it: that is what the incident, audit and notification say.
    const checks = await auditOf(api, "debounce check");
    expect(checks.map((c) => c.result)).toEqual(["blockedByRunLock"]);
    expect(checks[0]?.detail).toMatch(new RegExp(`a real outage while run ${drillId} holds the estate's run lock`));
    const state = await incident(api);
    expect(state).toMatchObject({ runId: null, startOwed: null, failedOver: false, awaitingApproval: { playbook: "siteFailover" } });
    const asked = api.sandbox.events.find((e) => e.kind === "approvalNeeded");
    expect(asked?.approval?.what).toMatch(/A real outage during a drill: stop the drill \(.+\) and fail over\?/);
    expect(asked?.approval?.how).toContain(`POST /api/runs/${drillId}/cancel`);

    // The drill ends; the kill switch going on and off are incident transactions, and none of them starts a run.
    expect((await api.call("POST", `/api/runs/${drillId}/cleanup`, { as: "operator" })).status).toBe(202);
    await api.waitForRun(drillId, finished);
    expect((await api.call("POST", "/api/killswitch", { as: "admin", body: { on: true, reason: "drill over, hold on" } })).status).toBe(200);
    expect((await api.call("POST", "/api/killswitch", { as: "admin", body: { on: false, reason: "decided" } })).status).toBe(200);
    await api.sandbox.idle();
    const estateName = api.sandbox.stack.estate.name;
    expect((await api.sandbox.stack.store.listRuns(estateName)).map((r) => r.runId)).toEqual([drillId]);
    expect((await api.sandbox.stack.root.audit.list()).some((e) => e.result === "startRun")).toBe(false);

    // The person decides: the approval starts the site failover, now that the lock is free.
    const approved = await api.call("POST", "/api/incidents/approve", { as: "approver" });
    expect(approved).toMatchObject({ status: 202, json: { outcome: "startRun", runId: `${state.incidentId ?? ""}-site` } });
    const run = await api.waitForRun(String(approved.json.runId), finished, 90_000);
    expect(run.outcome).toBe("succeeded");
    expect(await incident(api)).toMatchObject({ runId: approved.json.runId, failedOver: true, awaitingApproval: null });
  }, 180_000);

  it("refuses a Fired alert older than alerting.maxAlertAgeMinutes, and audits why", async () => {
    api = await startTestApi();
    const stale = await postAlert(api, freshAlertJson("expressroute-primary-down.json", now(api), { ageSeconds: 2 * 3600 }));
    expect(stale).toMatchObject({ status: 202, json: { outcome: "stale" } });
    expect((await auditOf(api, "alert fired: er-primary-bgp-availability"))[0]?.detail).toMatch(/120 min ago, beyond the 30 min limit/);
    expect((await incident(api)).circuitsDown).toEqual([]);
  });

  it("counts only a platform-initiated Unavailable from Resource Health as down: user-initiated and Degraded are news", async () => {
    api = await startTestApi();
    for (const [status, cause] of [
      ["Unavailable", "UserInitiated"],
      ["Degraded", "PlatformInitiated"],
    ] as const) {
      const nat = freshAlertJson("nat-unavailable-resourcehealth.json", now(api), { alertId: `nat-${status}-${cause}` });
      Object.assign((nat as { data: { alertContext: { properties: Record<string, unknown> } } }).data.alertContext.properties, {
        currentHealthStatus: status,
        cause,
      });
      expect((await postAlert(api, nat)).json.outcome).toBe("news");
    }
    expect(await incident(api)).toMatchObject({ pending: null, natLostSince: null });
    expect(api.sandbox.events.filter((e) => e.kind === "incidentDecision" && /only .*platform/.test(e.summary))).toHaveLength(2);
  });

  it("orders an alert's states by its own times: its Fired arriving after its Resolved marks nothing down", async () => {
    api = await startTestApi();
    const resolved = freshAlertJson("expressroute-primary-resolved.json", now(api));
    const fired = freshAlertJson("expressroute-primary-down.json", now(api));
    essentialsOf(fired).firedDateTime = essentialsOf(resolved).firedDateTime;
    expect((await postAlert(api, resolved)).status).toBe(202);
    expect((await postAlert(api, fired)).json.outcome).toBe("late");
    expect((await incident(api)).circuitsDown).toEqual([]);
    // So the other circuit going down is lost redundancy, not a site outage.
    expect((await postAlert(api, freshAlertJson("expressroute-secondary-down.json", now(api)))).json.outcome).toBe("warning");
  });

  it("asks the source before an automatic site failover: circuits at 100% BGP/ARP now mean no failover", async () => {
    api = await startTestApi();
    expect((await postAlert(api, freshAlertJson("expressroute-primary-down.json", now(api)))).json.outcome).toBe("warning");
    expect((await postAlert(api, freshAlertJson("expressroute-secondary-down.json", now(api)))).json.outcome).toBe("debouncing");
    await api.sandbox.idle();
    const checks = await auditOf(api, "debounce check");
    expect(checks.map((c) => c.result)).toEqual(["notCorroborated"]);
    expect(checks[0]?.detail).toMatch(/er-contoso-primary: BGP 100%, ARP 100%/);
    expect(await api.sandbox.stack.store.listRuns(api.sandbox.stack.estate.name)).toEqual([]);
    expect(api.sandbox.events.some((e) => e.kind === "approvalNeeded" && /source says otherwise/.test(e.summary))).toBe(true);
  }, 60_000);

  it("reads the circuits' private peering, the one carrying the site: lost there but up on Microsoft peering is down, not 50 %", async () => {
    api = await startTestApi({ faults: { health: { privatePeeringDown: ["er-contoso-primary", "er-contoso-secondary"] } } });
    await postAlert(api, freshAlertJson("expressroute-primary-down.json", now(api)));
    expect((await postAlert(api, freshAlertJson("expressroute-secondary-down.json", now(api)))).json.outcome).toBe("debouncing");
    await api.sandbox.idle();
    const checks = await auditOf(api, "debounce check");
    expect(checks.map((c) => c.result)).not.toContain("notCorroborated");
    expect((await api.sandbox.stack.store.listRuns(api.sandbox.stack.estate.name)).length).toBe(1);
  }, 120_000);

  it("waits for an independent second signal per playbook: the circuits' own alerts are one witness, the site's Heartbeat alert another", async () => {
    const json = sampleEstateJson() as { alerting: Record<string, unknown> };
    json.alerting = { ...json.alerting, playbooks: { site: { requireSecondSignal: true } }, siteHeartbeatAlertRules: ["onprem-site-heartbeat-lost"] };
    api = await startTestApi({ estate: parseEstate(json), faults: SITE_CUT_OFF });
    for (const file of ["expressroute-primary-down.json", "expressroute-primary-arp-down.json", "expressroute-secondary-down.json"])
      await postAlert(api, freshAlertJson(file, now(api)));
    await api.sandbox.idle();
    expect((await auditOf(api, "debounce check")).map((c) => c.result)).toEqual(["waitingForSecondSignal"]);
    expect(await api.sandbox.stack.store.listRuns(api.sandbox.stack.estate.name)).toEqual([]);

    expect((await postAlert(api, freshAlertJson("site-heartbeat-lost.json", now(api)))).json.outcome).toBe("debouncing");
    await api.sandbox.idle();
    const checks = await auditOf(api, "debounce check");
    expect(checks[0]).toMatchObject({ result: "startRun", detail: expect.stringMatching(/BGP 0%, ARP 0%/) });
    expect((await api.sandbox.stack.store.listRuns(api.sandbox.stack.estate.name)).map((r) => r.status)).toEqual(["succeeded"]);
  }, 120_000);

  it("bounds every alert field at the edge and the incident row in bytes: 50 alerts with 3,000-character ids never 500 nor lock the path out", async () => {
    api = await startTestApi();
    const long = (n: number, i: number) =>
      `/subscriptions/3f2b6c1e-8a4d-4c9b-9e7a-1d2c3b4a5f60/providers/Microsoft.AlertsManagement/alerts/${String(i).padStart(4, "0")}${"x".repeat(n)}`;
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => postAlert(api as TestApi, freshAlertJson("rpo-breach-log.json", now(api as TestApi), { alertId: long(3000, i) }))),
    );
    expect(answers.every((a) => a.status === 400 && a.json.field === "alertId")).toBe(true);
    expect(String(answers[0]?.json.detail)).toMatch(/data\.essentials\.alertId/);

    // Ids just under the documented limit are accepted, and the row stays small: dedupe keys are hashed.
    const sample = readSample("alert-metric-fired.json") as Record<string, unknown>;
    for (let i = 0; i < 80; i++) {
      const alert = structuredClone(sample);
      Object.assign(essentialsOf(alert), { alertId: long(900, i), firedDateTime: now(api).toISOString() });
      expect((await postAlert(api, alert)).status).toBe(202);
    }
    expect(JSON.stringify(await incident(api)).length).toBeLessThan(INCIDENT_STATE_MAX_CHARS / 2);
    expect((await postAlert(api, structuredClone(sample))).status).toBeLessThan(300);
    expect((await api.call("POST", "/api/killswitch", { as: "admin", body: { on: true, reason: "still answering" } })).status).toBe(200);
    expect((await api.call("POST", "/api/incidents/approve", { as: "approver" })).status).toBe(409);

    // Other fields name themselves too, and a long schemaId is not echoed back.
    const rule = structuredClone(sample);
    essentialsOf(rule).alertRule = "r".repeat(300);
    expect((await postAlert(api, rule)).json).toMatchObject({ field: "alertRule" });
    const schema = await postAlert(api, { ...structuredClone(sample), schemaId: "s".repeat(3000) });
    expect(schema).toMatchObject({ status: 400, json: { field: "schemaId" } });
    expect(schema.text.length).toBeLessThan(2000);
  }, 120_000);
});
