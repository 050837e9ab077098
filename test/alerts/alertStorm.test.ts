import { afterEach, describe, expect, inject, it } from "vitest";
import { silentLogger } from "../../shared/ports/logger.js";
import { startSandbox, type Sandbox } from "../../local/sandbox/startSandbox.js";
import { fixtureAlertJson, sampleEstate } from "../helpers.js";

const estate = sampleEstate();
let sandbox: Sandbox | undefined;
afterEach(() => sandbox?.stop());

/** One outage as an Action Group delivers it: the same alert six times, three other rules, a late Resolved. */
function storm(): Record<string, unknown>[] {
  const primary = fixtureAlertJson("expressroute-primary-down.json");
  const lateResolved = fixtureAlertJson("expressroute-primary-resolved.json") as { data: { essentials: Record<string, unknown> } };
  lateResolved.data.essentials.alertId = `${String(lateResolved.data.essentials.alertId)}-earlier`;
  lateResolved.data.essentials.firedDateTime = "2026-11-25T01:10:00.000Z";
  lateResolved.data.essentials.resolvedDateTime = "2026-11-25T01:40:00.000Z";
  return [
    primary,
    primary,
    fixtureAlertJson("expressroute-secondary-down.json"),
    primary,
    lateResolved,
    fixtureAlertJson("expressroute-primary-arp-down.json"),
    primary,
    fixtureAlertJson("nat-unavailable-resourcehealth.json"),
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
    sandbox = await startSandbox({ estate, port: 0, alertAuth: "key", log: () => undefined, tableEndpoint: inject("tableEndpoint") });
    const answers = await deliver(sandbox, storm());
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

  it("starts nothing while the kill switch is on, and the decision says why", async () => {
    sandbox = await startSandbox({ estate, port: 0, alertAuth: "key", log: () => undefined, tableEndpoint: inject("tableEndpoint") });
    await sandbox.local.root.alertsFor(silentLogger).setKillSwitch(true, "ops-lead@contoso.com", "datacentre maintenance");
    const answers = await deliver(sandbox, storm());
    await sandbox.idle();
    expect(await sandbox.stack.store.listRuns(estate.name)).toEqual([]);
    expect(sandbox.stack.azure.stats().failoverCalls).toEqual({});
    const blocked = answers.filter((a) => a.outcome === "blockedByKillSwitch");
    expect(blocked.length).toBeGreaterThan(0);
    const audit = await sandbox.local.root.audit.list();
    expect(audit.find((e) => e.result === "blockedByKillSwitch")?.detail).toMatch(/kill switch is on \(set by ops-lead@contoso.com/);
  });
});
