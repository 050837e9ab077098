import { afterEach, describe, expect, inject, it } from "vitest";
import { azuriteTables } from "../../local/azurite.js";
import { openTable } from "../../shared/adapters/stateTables.js";
import { STATE_TABLES } from "../../shared/config/names.js";
import { createTableIncidentStore } from "../../shared/adapters/tableIncidentStore.js";
import { ALERT_BOUNDARIES } from "../../shared/incidents/alertService.js";
import type { IncidentState } from "../../shared/domain/incidents/incidentState.js";
import { parseEstate, type Estate } from "../../shared/domain/estate.js";
import type { BoundaryHook } from "../../shared/runs/engineDeps.js";
import { silentLogger } from "../../shared/ports/logger.js";
import { sampleEstateJson } from "../helpers.js";
import { awaiting, startTestApi, type HttpResult, type Person, type TestApi } from "../host/http/httpHelpers.js";
import { freshAlertJson } from "./freshAlert.js";

/** Both circuits report 0% BGP/ARP in simulated Azure: the source agrees with the alerts. */
const SITE_CUT_OFF = { health: { expressRouteDown: ["er-contoso-primary", "er-contoso-secondary"] } };
/** The engine's boundaries inside startRun, which the alert path calls; its step boundaries are test/runs/crashRecovery.test.ts's. */
const START_RUN_BOUNDARIES = ["lockAcquired", "runCreated"];
/**
 * Statuses on which an Action Group calls a webhook again, up to 5 retries; a 500 is not one of them
 * (learn.microsoft.com/azure/azure-monitor/alerts/action-groups#webhook).
 */
const ACTION_GROUP_RETRIES_ON = new Set([408, 429, 503, 504]);
const ACTION_GROUP_ATTEMPTS = 6;

let api: TestApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

/**
 * Crashes the first time each distinct boundary of the alert path (name and what it just wrote) or
 * of startRun is reached; the Functions host then redelivers: the queue message is abandoned and
 * delivered again, the HTTP alert is retried by the Action Group, an approval by the person.
 */
function crashOnceAtEveryBoundary(): { hook: BoundaryHook; crashed: () => string[] } {
  const sites = new Set<string>();
  const names = new Set<string>();
  const watched = new Set<string>([...ALERT_BOUNDARIES, ...START_RUN_BOUNDARIES]);
  return {
    crashed: () => [...names].sort(),
    hook: (name, context) => {
      const site = `${name}|${(context.fields ?? []).join(",")}`;
      if (!watched.has(name) || sites.has(site)) return;
      sites.add(site);
      names.add(name);
      throw new Error(`simulated crash at ${site}`);
    },
  };
}

/** Posts an alert as an Action Group does: again on 408, 429, 503 and 504, at most six times. */
async function postAsActionGroup(box: TestApi, alert: unknown): Promise<HttpResult> {
  for (let attempt = 1; ; attempt++) {
    const answer = await box.call("POST", "/api/alerts", { body: alert, headers: { "x-functions-key": box.sandbox.identity.alertKey } });
    if (!ACTION_GROUP_RETRIES_ON.has(answer.status) || attempt === ACTION_GROUP_ATTEMPTS) return answer;
  }
}

/** A person (or the console, with the same Idempotency-Key) repeats a request that failed on the server's side. */
async function retriedByPerson(
  box: TestApi,
  method: string,
  path: string,
  as: Person,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  for (let attempt = 1; ; attempt++) {
    const answer = await box.call(method, path, { as, headers, ...(body !== undefined ? { body } : {}) });
    if (answer.status < 500 || attempt === 10) return answer;
  }
}

const incident = (box: TestApi): Promise<IncidentState> => box.sandbox.stack.root.alertsFor(silentLogger).current();
const now = (box: TestApi): Date => box.sandbox.stack.clock.now();

function estateWith(alerting: Record<string, unknown>): Estate {
  const json = sampleEstateJson() as { alerting: Record<string, unknown> };
  json.alerting = { ...json.alerting, ...alerting };
  return parseEstate(json);
}

/** What every crashed scenario must end with: one run, the incident's, each VM of it failed over and committed once. */
async function expectOneRunOfTheIncident(box: TestApi, suffix: "site" | "edge", vms: readonly string[]): Promise<IncidentState> {
  const { stack } = box.sandbox;
  const state = await incident(box);
  const runs = await stack.store.listRuns(stack.estate.name);
  expect(runs.map((r) => ({ runId: r.runId, status: r.status }))).toEqual([{ runId: `${state.incidentId ?? ""}-${suffix}`, status: "succeeded" }]);
  const stats = stack.azure.stats();
  expect(Object.fromEntries(stack.estate.vms.map((vm) => [vm.name, stats.failoverCalls[vm.name] ?? 0]))).toEqual(
    Object.fromEntries(stack.estate.vms.map((vm) => [vm.name, vms.includes(vm.name) ? 1 : 0])),
  );
  expect(stats.byOperation["ReplicationProtectedItems_FailoverCommit"]).toBe(vms.length);
  expect(state).toMatchObject({ runId: runs[0]?.runId, startOwed: null, pending: null, awaitingApproval: null });
  expect(await stack.store.runLockHolder(stack.estate.name)).toBeUndefined();
  expect(stack.azure.misuse).toEqual([]);
  return state;
}

/** Only a debounce check or an approval starts a run; later transactions (alerts again, the kill switch) start nothing. */
async function expectNoRunFromUnrelatedTransactions(box: TestApi, alerts: readonly unknown[]): Promise<void> {
  const starts = (await box.sandbox.stack.root.audit.list()).filter((e) => e.result === "startRun");
  expect(starts.filter((e) => e.action !== "debounce check" && e.action !== "approve incident failover")).toEqual([]);
  const state = await incident(box);
  const run = (await box.sandbox.stack.store.listRuns(box.sandbox.stack.estate.name))[0];
  expect(run?.trigger.startsWith(`incident ${state.incidentId ?? ""}:`)).toBe(true);
  for (const alert of alerts) expect((await postAsActionGroup(box, alert)).status).toBeLessThan(300);
  expect((await retriedByPerson(box, "POST", "/api/killswitch", "admin", { on: true, reason: "after the crash test" })).status).toBe(200);
  expect((await retriedByPerson(box, "POST", "/api/killswitch", "admin", { on: false, reason: "after the crash test" })).status).toBe(200);
  await box.sandbox.idle();
  expect(await box.sandbox.stack.store.listRuns(box.sandbox.stack.estate.name)).toHaveLength(1);
}

/** Every boundary a site failover passes, with or without approval: each is crashed once. */
const SITE_BOUNDARIES = [
  "auditWritten",
  "checkDecided",
  "checkScheduled",
  "incidentSaved",
  "lockAcquired",
  "notificationQueued",
  "runCreated",
  "runStarted",
  "sourceRead",
  "startDecided",
  "startRecorded",
];

describe("the alert path, crashed once at every boundary and redelivered", () => {
  it("site playbook (both circuits down): one run, each VM failed over once", async () => {
    const crash = crashOnceAtEveryBoundary();
    api = await startTestApi({ faults: SITE_CUT_OFF, boundary: crash.hook });
    const alerts = [freshAlertJson("expressroute-primary-down.json", now(api)), freshAlertJson("expressroute-secondary-down.json", now(api))];
    for (const alert of alerts) expect((await postAsActionGroup(api, alert)).status).toBeLessThan(300);
    await api.sandbox.idle();

    const estate = api.sandbox.stack.estate;
    const state = await expectOneRunOfTheIncident(
      api,
      "site",
      estate.vms.map((vm) => vm.name),
    );
    expect(state.failedOver).toBe(true);
    // The first circuit's warning was told although the first delivery crashed after saving it.
    expect(api.sandbox.events.some((e) => e.kind === "incidentDecision" && /redundancy/.test(e.summary))).toBe(true);
    expect(crash.crashed()).toEqual(SITE_BOUNDARIES);
    await expectNoRunFromUnrelatedTransactions(api, alerts);
  }, 240_000);

  it("site playbook with approval: the approval request survives the crashes, the approval starts one run", async () => {
    const crash = crashOnceAtEveryBoundary();
    api = await startTestApi({ estate: estateWith({ playbooks: { site: { approvalRequired: true } } }), faults: SITE_CUT_OFF, boundary: crash.hook });
    const alerts = [freshAlertJson("expressroute-primary-down.json", now(api)), freshAlertJson("expressroute-secondary-down.json", now(api))];
    for (const alert of alerts) expect((await postAsActionGroup(api, alert)).status).toBeLessThan(300);
    await api.sandbox.idle();

    expect(await incident(api)).toMatchObject({ runId: null, startOwed: null, pending: null, awaitingApproval: { playbook: "siteFailover" } });
    expect(await api.sandbox.stack.store.listRuns(api.sandbox.stack.estate.name)).toEqual([]);
    // A crash right after the check was saved must not swallow the request for a person.
    expect(api.sandbox.events.filter((e) => e.kind === "approvalNeeded").length).toBeGreaterThan(0);

    const approved = await retriedByPerson(api, "POST", "/api/incidents/approve", "approver");
    expect(approved.status).toBeLessThan(500);
    await api.sandbox.idle();
    const estate = api.sandbox.stack.estate;
    const state = await expectOneRunOfTheIncident(
      api,
      "site",
      estate.vms.map((vm) => vm.name),
    );
    expect(state.failedOver).toBe(true);
    expect(crash.crashed()).toEqual(SITE_BOUNDARIES);
    await expectNoRunFromUnrelatedTransactions(api, alerts);
  }, 240_000);

  it("copies delivered at once while the first crashes after saving: the copies, which waited for it, finish its notice under its one id", async () => {
    let crashes = 0;
    const hook: BoundaryHook = (name) => {
      if (name === "incidentSaved" && crashes++ === 0) throw new Error("simulated crash at incidentSaved");
    };
    api = await startTestApi({ boundary: hook });
    const alert = freshAlertJson("expressroute-primary-down.json", now(api));
    const answers = await Promise.all(Array.from({ length: 8 }, () => postAsActionGroup(api as TestApi, alert)));
    await api.sandbox.idle();

    expect(crashes).toBeGreaterThan(0);
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 8 }, () => 200));
    expect(answers.every((a) => (a.json as { outcome?: string }).outcome === "duplicate")).toBe(true);
    expect((await incident(api)).recentDecisions.filter((d) => d.outcome === "warning")).toHaveLength(1);
    // Each copy that finished it again asked for the same notification (one id: the notification queue drops the copies by message id).
    const told = api.sandbox.events.filter((e) => e.kind === "incidentDecision" && /redundancy/.test(e.summary));
    expect(told.length).toBeGreaterThan(0);
    expect(new Set(told.map((e) => e.id)).size).toBe(1);
  });

  it("edge playbook (NAT lost): one edge run, the NAT failed over once", async () => {
    const crash = crashOnceAtEveryBoundary();
    api = await startTestApi({ boundary: crash.hook });
    const alerts = [freshAlertJson("nat-unavailable-resourcehealth.json", now(api))];
    for (const alert of alerts) expect((await postAsActionGroup(api, alert)).status).toBeLessThan(300);
    await api.sandbox.idle();

    const estate = api.sandbox.stack.estate;
    const edge = estate.vms.filter((vm) => vm.tier === estate.vms.find((v) => v.name === estate.alerting.natVm.vm)?.tier).map((vm) => vm.name);
    const state = await expectOneRunOfTheIncident(api, "edge", edge);
    expect(state.runPlaybook).toBe("edgeFailover");
    // Nothing in the edge playbook is told to people before the run (the run tells its own start).
    expect(crash.crashed()).toEqual([
      "auditWritten",
      "checkDecided",
      "checkScheduled",
      "incidentSaved",
      "lockAcquired",
      "runCreated",
      "runStarted",
      "sourceRead",
      "startDecided",
      "startRecorded",
    ]);
    await expectNoRunFromUnrelatedTransactions(api, alerts);
  }, 240_000);

  it("site playbook during a drill: the refused start still asks a person, and nothing starts", async () => {
    const crash = crashOnceAtEveryBoundary();
    api = await startTestApi({ faults: SITE_CUT_OFF, boundary: crash.hook });
    const drill = await retriedByPerson(
      api,
      "POST",
      "/api/failover",
      "operator",
      { mode: "test", scope: "all", reason: "quarterly DR drill" },
      { "idempotency-key": "drill-2026-q4" },
    );
    expect(drill.status).toBe(202);
    const drillId = String(drill.json.runId);
    await api.waitForRun(drillId, awaiting("cleanup"));
    for (const alert of [freshAlertJson("expressroute-primary-down.json", now(api)), freshAlertJson("expressroute-secondary-down.json", now(api))])
      expect((await postAsActionGroup(api, alert)).status).toBeLessThan(300);
    await api.sandbox.idle();

    expect(await incident(api)).toMatchObject({ runId: null, startOwed: null, pending: null, awaitingApproval: { playbook: "siteFailover" } });
    expect((await api.sandbox.stack.store.listRuns(api.sandbox.stack.estate.name)).map((r) => r.runId)).toEqual([drillId]);
    expect(api.sandbox.events.some((e) => e.kind === "approvalNeeded" && /A real outage during a drill/.test(e.approval?.what ?? ""))).toBe(true);
    expect((await api.sandbox.stack.root.audit.list()).filter((e) => e.action === "debounce check").map((e) => e.result)).toContain("blockedByRunLock");
    expect(crash.crashed()).toEqual([
      "auditWritten",
      "checkDecided",
      "checkScheduled",
      "incidentSaved",
      "lockAcquired",
      "notificationQueued",
      "runCreated",
      "sourceRead",
      "startDecided",
    ]);
  }, 240_000);

  it("a start redelivered after its run ended records the run instead of taking the estate's lock for it again", async () => {
    api = await startTestApi();
    await postAsActionGroup(api, freshAlertJson("nat-unavailable-resourcehealth.json", now(api)));
    await api.sandbox.idle();
    const { stack } = api.sandbox;
    const done = await incident(api);
    const runId = done.runId ?? "";
    expect((await stack.store.getRun(runId))?.value.status).toBe("succeeded");

    // As if the check had crashed after the engine accepted the start and came back only now: the start is still owed.
    const checkId = (done.recentDecisions.find((d) => d.key.startsWith("check:"))?.key ?? "").slice("check:".length);
    const tables = azuriteTables(inject("tableEndpoint"), stack.tablePrefix);
    const incidents = createTableIncidentStore({ table: await openTable(tables, STATE_TABLES.incidents) });
    const entry = await incidents.get(stack.estate.name);
    await incidents.put(
      stack.estate.name,
      { ...done, runId: null, runPlaybook: null, startOwed: { playbook: "edgeFailover", runId, decidedBy: checkId, reason: "edge-tier failover starts" } },
      entry?.etag,
    );

    await api.sandbox.stack.root.alertsFor(silentLogger).handleCheck({ estate: stack.estate.name, checkId });
    expect(await stack.store.runLockHolder(stack.estate.name)).toBeUndefined();
    expect(await incident(api)).toMatchObject({ runId, startOwed: null, runPlaybook: "edgeFailover" });
    expect(await stack.store.listRuns(stack.estate.name)).toHaveLength(1);
  }, 60_000);

  it("answers a crash with 503 and Retry-After, which the Action Group retries; the retry tells what the first delivery decided", async () => {
    let crashed = false;
    api = await startTestApi({
      boundary: (name) => {
        if (name !== "incidentSaved" || crashed) return;
        crashed = true;
        throw new Error("simulated crash after the incident was saved");
      },
    });
    const alert = freshAlertJson("rpo-breach-log.json", now(api));
    const first = await api.call("POST", "/api/alerts", { body: alert, headers: { "x-functions-key": api.sandbox.identity.alertKey } });
    expect(first).toMatchObject({ status: 503, json: { title: "Service unavailable" } });
    expect(first.headers.get("retry-after")).toBe("5");
    expect(api.sandbox.events.filter((e) => e.kind === "incidentDecision")).toEqual([]);

    const retried = await postAsActionGroup(api, alert);
    expect(retried).toMatchObject({
      status: 200,
      json: { outcome: "duplicate", reason: expect.stringMatching(/its decision \(diagnose\) was finished again/) },
    });
    expect(api.sandbox.events.filter((e) => e.kind === "incidentDecision").map((e) => e.summary)).toEqual([expect.stringMatching(/replication is behind/)]);
  }, 60_000);
});
