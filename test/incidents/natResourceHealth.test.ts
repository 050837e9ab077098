import { afterEach, describe, expect, it } from "vitest";
import { parseEstate, type Estate } from "../../shared/domain/estate.js";
import { sampleEstateJson } from "../helpers.js";
import { startTestApi, type TestApi } from "../host/http/httpHelpers.js";
import { freshAlertJson } from "./freshAlert.js";

let api: TestApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

type EstateJson = { vms: { name: string; recoveryVmId: string }[]; alerting: { natVm: { vm: string; resourceIds: string[] } } };

/** The sample estate with its NAT/firewall watched as an Azure VM (Microsoft.Compute/virtualMachines) rather than an Arc machine. */
function azureHostedNat(): { estate: Estate; natId: string } {
  const json = sampleEstateJson() as unknown as EstateJson;
  const nat = json.vms.find((vm) => vm.name === json.alerting.natVm.vm);
  if (!nat) throw new Error("the sample estate has no NAT VM");
  json.alerting.natVm.resourceIds = [nat.recoveryVmId];
  return { estate: parseEstate(json), natId: nat.recoveryVmId };
}

/** The Resource Health alert fixture, about the Azure-hosted NAT VM. */
function natAlert(box: TestApi, natId: string): Record<string, unknown> {
  const alert = freshAlertJson("nat-unavailable-resourcehealth.json", box.sandbox.stack.clock.now()) as { data: { essentials: Record<string, unknown> } };
  alert.data.essentials.alertTargetIDs = [natId.toLowerCase()];
  return alert;
}

async function checkAudit(box: TestApi): Promise<{ result: string; detail?: string }[]> {
  return (await box.sandbox.stack.root.audit.list()).filter((e) => e.action === "debounce check");
}

async function postAlert(box: TestApi, alert: unknown): Promise<string> {
  const answer = await box.call("POST", "/api/alerts", { body: alert, headers: { "x-functions-key": box.sandbox.identity.alertKey } });
  return String(answer.json.outcome);
}

describe("an Azure-hosted NAT/firewall is corroborated by its Resource Health", () => {
  it("Unavailable, platform initiated, now: the edge failover starts, and the audit says what Resource Health said", async () => {
    const { estate, natId } = azureHostedNat();
    api = await startTestApi({
      estate,
      faults: { health: { resourceHealth: { [natId]: { availabilityState: "Unavailable", context: "Platform Initiated" } } } },
    });
    expect(await postAlert(api, natAlert(api, natId))).toBe("debouncing");
    await api.sandbox.idle();

    const checks = await checkAudit(api);
    expect(checks.map((c) => c.result)).toEqual(["startRun"]);
    expect(checks[0]?.detail).toMatch(/Resource Health of NAT01 now: Unavailable, Platform Initiated/);
    const runs = await api.sandbox.stack.store.listRuns(estate.name);
    expect(runs.map((r) => r.status)).toEqual(["succeeded"]);
    expect(api.sandbox.stack.azure.stats().byOperation["AvailabilityStatuses_GetByResource"]).toBe(1);
    expect(api.sandbox.stack.azure.misuse).toEqual([]);
  }, 60_000);

  it("Available now: no failover, notified as not corroborated for an approver to decide", async () => {
    const { estate, natId } = azureHostedNat();
    api = await startTestApi({ estate, faults: { health: { resourceHealth: { [natId]: { availabilityState: "Available" } } } } });
    expect(await postAlert(api, natAlert(api, natId))).toBe("debouncing");
    await api.sandbox.idle();

    const checks = await checkAudit(api);
    expect(checks.map((c) => c.result)).toEqual(["notCorroborated"]);
    expect(checks[0]?.detail).toMatch(/Resource Health of NAT01 now: Available/);
    expect(await api.sandbox.stack.store.listRuns(estate.name)).toEqual([]);
    expect(
      api.sandbox.events.some((e) => e.kind === "approvalNeeded" && /source says otherwise .*Resource Health of NAT01 now: Available/.test(e.summary)),
    ).toBe(true);
  }, 60_000);

  it("Degraded cannot tell: the alert stands and the reason is audited", async () => {
    const { estate, natId } = azureHostedNat();
    api = await startTestApi({ estate, faults: { health: { resourceHealth: { [natId]: { availabilityState: "Degraded" } } } } });
    await postAlert(api, natAlert(api, natId));
    await api.sandbox.idle();
    const checks = await checkAudit(api);
    expect(checks.map((c) => c.result)).toEqual(["startRun"]);
    expect(checks[0]?.detail).toMatch(/Resource Health of NAT01 now: Degraded.*\(only Unavailable with a platform cause counts as down\)/);
  }, 60_000);

  it("a Resource Health read that fails cannot tell either: the alert stands", async () => {
    const { estate, natId } = azureHostedNat();
    api = await startTestApi({ estate, faults: { health: { resourceHealth: {} } } });
    // No such VM in simulated Azure yet (it is created by the failover): ARM answers 404.
    await postAlert(api, natAlert(api, natId));
    await api.sandbox.idle();
    const checks = await checkAudit(api);
    expect(checks.map((c) => c.result)).toEqual(["startRun"]);
    expect(checks[0]?.detail).toMatch(
      /the source could not be read \(read the Resource Health of NAT01: ResourceNotFound The Resource 'Microsoft.Compute\/virtualMachines\/NAT01'/,
    );
  }, 60_000);

  it("keeps reading the Heartbeat for an Arc (on-premises) NAT: Resource Health is not asked", async () => {
    api = await startTestApi();
    await postAlert(api, freshAlertJson("nat-unavailable-resourcehealth.json", api.sandbox.stack.clock.now()));
    await api.sandbox.idle();
    expect((await checkAudit(api))[0]?.detail).toMatch(/NAT01 sent no Heartbeat in the last hour/);
    expect(api.sandbox.stack.azure.stats().byOperation["AvailabilityStatuses_GetByResource"]).toBeUndefined();
  }, 60_000);
});
