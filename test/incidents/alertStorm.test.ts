import { afterEach, describe, expect, inject, it } from "vitest";
import { silentLogger } from "../../shared/ports/logger.js";
import { startSandbox, type Sandbox } from "../../local/sandbox/startSandbox.js";
import { sampleEstate } from "../helpers.js";
import { freshAlertJson } from "./freshAlert.js";

const estate = sampleEstate();
let sandbox: Sandbox | undefined;
afterEach(() => sandbox?.stop());

/** Both circuits report 0% BGP/ARP in simulated Azure, so the source corroborates the alerts. */
const SITE_CUT_OFF = { health: { expressRouteDown: ["er-contoso-primary", "er-contoso-secondary"] } };

/** One outage as an Action Group delivers it: the same alert six times, three other rules, a late Resolved. */
function storm(now: Date): Record<string, unknown>[] {
  const primary = freshAlertJson("expressroute-primary-down.json", now);
  const lateResolved = freshAlertJson("expressroute-primary-resolved.json", now, { ageSeconds: 600 }) as { data: { essentials: Record<string, unknown> } };
  lateResolved.data.essentials.alertId = `${String(lateResolved.data.essentials.alertId)}-earlier`;
  return [
    primary,
    primary,
    freshAlertJson("expressroute-secondary-down.json", now),
    primary,
    lateResolved,
    freshAlertJson("expressroute-primary-arp-down.json", now),
    primary,
    freshAlertJson("nat-unavailable-resourcehealth.json", now),
    primary,
    primary,
  ];
}

async function deliver(box: Sandbox, alerts: readonly Record<string, unknown>[]): Promise<{ status: number; outcome: string; incidentId: string | null }[]> {
  const headers = { "x-functions-key": box.identity.alertKey, "content-type": "application/json" };
  return Promise.all(
    alerts.map(async (alert) => {
      const response = await fetch(`${box.url}/api/alerts`, { method: "POST", headers, body: JSON.stringify(alert) });
      const json = (await response.json()) as { outcome: string; incidentId: string | null };
      return { status: response.status, outcome: json.outcome, incidentId: json.incidentId };
    }),
  );
}

describe("an alert storm for one outage", () => {
  it("makes one incident, one run and one failover call per VM", async () => {
    sandbox = await startSandbox({ estate, port: 0, alertAuth: "key", log: () => undefined, tableEndpoint: inject("tableEndpoint"), faults: SITE_CUT_OFF });
    const answers = await deliver(sandbox, storm(sandbox.stack.clock.now()));
    expect(answers.every((a) => a.status === 200 || a.status === 202)).toBe(true);
    expect(answers.filter((a) => a.outcome === "duplicate")).toHaveLength(5);
    expect(new Set(answers.map((a) => a.incidentId))).toEqual(new Set([answers[0]?.incidentId]));
    await sandbox.idle();

    const runs = await sandbox.stack.store.listRuns(estate.name);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "succeeded", runId: `${answers[0]?.incidentId ?? ""}-site` });
    const calls = sandbox.stack.azure.stats().failoverCalls;
    expect(estate.vms.every((vm) => calls[vm.name] === 1)).toBe(true);
    expect(sandbox.stack.azure.misuse).toEqual([]);
  });

  it("with the step queue held, starts its one run during the storm, whose steps wait; a brought-forward health check runs once", async () => {
    sandbox = await startSandbox({ estate, port: 0, alertAuth: "key", log: () => undefined, tableEndpoint: inject("tableEndpoint"), faults: SITE_CUT_OFF });
    const steps = sandbox.holdQueues(["steps"]);
    const now = sandbox.stack.clock.now();
    // The RPO breach brings a health check forward: its Run Command polls move the simulated clock past the checks' 60 s locks.
    await deliver(sandbox, [...storm(now), freshAlertJson("rpo-breach-log.json", now)]);
    await sandbox.idle();

    const [run] = await sandbox.stack.store.listRuns(estate.name);
    expect(run).toMatchObject({ status: "running" });
    expect(sandbox.stack.queue.size).toBeGreaterThan(0);
    expect(sandbox.stack.azure.stats().failoverCalls).toEqual({});
    // Each check was handled by one delivery: none lost its lock while another moved the clock, none was dead-lettered.
    expect(sandbox.stack.checks.stats).toMatchObject({ lockExpired: 0, deadLettered: 0 });
    expect(sandbox.stack.checks.stats.delivered).toBe(sandbox.stack.checks.stats.completed);

    steps.release();
    await sandbox.idle();
    const runs = await sandbox.stack.store.listRuns(estate.name);
    expect(runs.map((r) => [r.runId, r.status])).toEqual([[run?.runId, "succeeded"]]);
    const calls = sandbox.stack.azure.stats().failoverCalls;
    expect(estate.vms.every((vm) => calls[vm.name] === 1)).toBe(true);
  });

  it("with every queue held, only answers the storm; its check, run and steps follow the release", async () => {
    sandbox = await startSandbox({ estate, port: 0, alertAuth: "key", log: () => undefined, tableEndpoint: inject("tableEndpoint"), faults: SITE_CUT_OFF });
    const held = sandbox.holdQueues(["steps", "checks", "notifications"]);
    const answers = await deliver(sandbox, storm(sandbox.stack.clock.now()));
    await sandbox.idle();

    expect(new Set(answers.map((a) => a.incidentId)).size).toBe(1);
    expect(sandbox.stack.checks.size).toBeGreaterThan(0);
    expect(sandbox.stack.checks.stats.delivered).toBe(0);
    expect(await sandbox.stack.store.listRuns(estate.name)).toEqual([]);

    held.release();
    await sandbox.idle();
    const runs = await sandbox.stack.store.listRuns(estate.name);
    expect(runs.map((r) => [r.runId, r.status])).toEqual([[`${answers[0]?.incidentId ?? ""}-site`, "succeeded"]]);
    const calls = sandbox.stack.azure.stats().failoverCalls;
    expect(estate.vms.every((vm) => calls[vm.name] === 1)).toBe(true);
  });

  it("starts nothing while the kill switch is on, and the decision says why", async () => {
    sandbox = await startSandbox({ estate, port: 0, alertAuth: "key", log: () => undefined, tableEndpoint: inject("tableEndpoint") });
    await sandbox.stack.root.alertsFor(silentLogger).setKillSwitch(true, "ops-lead@contoso.com", "datacentre maintenance");
    const answers = await deliver(sandbox, storm(sandbox.stack.clock.now()));
    await sandbox.idle();
    expect(await sandbox.stack.store.listRuns(estate.name)).toEqual([]);
    expect(sandbox.stack.azure.stats().failoverCalls).toEqual({});
    const blocked = answers.filter((a) => a.outcome === "blockedByKillSwitch");
    expect(blocked.length).toBeGreaterThan(0);
    const audit = await sandbox.stack.root.audit.list();
    expect(audit.find((e) => e.result === "blockedByKillSwitch")?.detail).toMatch(/kill switch is on \(set by ops-lead@contoso.com/);
  });
});
