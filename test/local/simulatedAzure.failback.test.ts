import { createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { createSimulatedClients } from "../../local/simulated-azure/clients.js";
import { createSimulatedAzure, type FaultPlan } from "../../local/simulated-azure/simulatedAzure.js";
import type { WorldSnapshot } from "../../local/simulated-azure/worldSnapshot.js";
import { createSiteRecovery } from "../../shared/adapters/siteRecoveryAdapter.js";
import type { ProtectedItemRef } from "../../shared/ports/siteRecovery.js";
import { sampleEstate } from "../helpers.js";

const estate = sampleEstate();
const MINUTE = 60_000;
const API_VERSION = "2023-06-01";

/** A simulator on a manual clock, the real SDK client and the product's adapter over it. */
function setup(faults?: FaultPlan, restore?: WorldSnapshot) {
  let t = restore ? Date.parse(restore.clock) : Date.parse("2026-03-01T10:00:00Z");
  const sim = createSimulatedAzure({
    estate,
    clock: { now: () => new Date(t) },
    durations: { failbackSyncMs: 20 * MINUTE },
    ...(faults ? { faults } : {}),
    ...(restore ? { restore } : {}),
  });
  const { siteRecovery: client } = createSimulatedClients(sim, estate.subscriptionId, { retryDelayInMs: 1, maxRetryDelayInMs: 5 });
  const asr = createSiteRecovery({ client, actions: client });
  const vm = estate.vms.find((v) => v.name === "DC01");
  const vault = vm ? estate.vaults[vm.vault] : undefined;
  if (!vm || !vault) throw new Error("no DC01");
  const ref: ProtectedItemRef = { vault, protectedItem: vm.protectedItem };
  const itemPath =
    `/subscriptions/${estate.subscriptionId}/resourceGroups/${vault.resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${vault.name}` +
    `/replicationFabrics/${vault.fabric}/replicationProtectionContainers/${vault.protectionContainer}/replicationProtectedItems/${vm.protectedItem}`;
  /** A POST with any body, through the SDK client's pipeline, answered as ASR would. */
  const post = async (action: string, body: unknown) => {
    const response = await client.sendRequest(
      createPipelineRequest({
        url: `https://management.azure.com${itemPath}/${action}?api-version=${API_VERSION}`,
        method: "POST",
        headers: createHttpHeaders({ "content-type": "application/json" }),
        body: JSON.stringify(body),
      }),
    );
    return { status: response.status, error: (JSON.parse(response.bodyAsText || "{}") as { error?: { code: string; message: string } }).error };
  };
  const providerDetails = async () =>
    (await client.replicationProtectedItems.get(vault.name, vault.resourceGroup, vault.fabric, vault.protectionContainer, vm.protectedItem)).properties
      ?.providerSpecificDetails as unknown as Record<string, unknown>;
  const advance = (ms: number) => {
    t += ms;
  };
  return { sim, asr, ref, post, providerDetails, advance };
}

type Setup = ReturnType<typeof setup>;

/** Failed over, committed and reprotected towards vSphere through the adapter, each job run to its end. */
async function reprotected(s: Setup) {
  await s.asr.startUnplannedFailover(s.ref, undefined);
  s.advance(15 * MINUTE);
  await s.asr.startCommit(s.ref);
  s.advance(5 * MINUTE);
  await s.asr.startReprotect(s.ref);
  s.advance(11 * MINUTE);
}

const failbackBody = (details: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  properties: { ...extra, providerSpecificDetails: { instanceType: "InMageRcmFailback", recoveryPointType: "ApplicationConsistent", ...details } },
});

describe("simulated ASR: failback of an InMageRcm item", () => {
  it("replicates back with progress, fails back, commits and reprotects towards Azure, through the adapter", async () => {
    const s = setup();
    await reprotected(s);
    expect(await s.asr.getProtectedItem(s.ref)).toMatchObject({
      provider: "InMageRcmFailback",
      protectionState: "InitialReplicationInProgress",
      activeLocation: "Primary",
      allowedOperations: ["DisableProtection"],
      failbackReplication: { progressHealth: "InProgress", progressPercentage: 5 },
    });
    expect(await s.post("plannedFailover", failbackBody({}))).toMatchObject({ status: 409, error: { code: "InvalidOperation" } });
    s.advance(10 * MINUTE);
    expect((await s.asr.getProtectedItem(s.ref)).failbackReplication).toEqual({ progressHealth: "InProgress", progressPercentage: 55 });
    s.advance(10 * MINUTE);
    const caughtUp = await s.asr.getProtectedItem(s.ref);
    expect(caughtUp).toMatchObject({ protectionState: "Protected", replicationHealth: "Normal", allowedOperations: ["PlannedFailover", "DisableProtection"] });
    expect(caughtUp.failbackReplication).toEqual({ progressHealth: "None" });

    const started = await s.asr.startPlannedFailback(s.ref, "CrashConsistent");
    const job = await s.asr.getJob(s.ref.vault, started.jobName);
    expect(job).toMatchObject({ scenarioName: "PlannedFailover", state: "InProgress" });
    expect(await s.post("plannedFailover", failbackBody({}))).toMatchObject({ status: 409 });
    s.advance(10 * MINUTE);
    expect(await s.asr.getJob(s.ref.vault, started.jobName)).toMatchObject({ state: "Succeeded", stateDescription: "Completed" });
    // Recorded state E (TestV2ARCMCancelFailover.json).
    expect(await s.asr.getProtectedItem(s.ref)).toMatchObject({
      provider: "InMageRcmFailback",
      protectionState: "CommitPendingStatesBegin",
      activeLocation: "Recovery",
      allowedOperations: ["CompleteMigration", "Commit", "DisableProtection", "SwitchProtection", "CancelFailover"],
    });
    expect(await s.providerDetails()).toMatchObject({ lastPlannedFailoverStatus: "Succeeded", lastPlannedFailoverStartTime: expect.any(Date) });

    await s.asr.startCommit(s.ref);
    s.advance(5 * MINUTE);
    expect(await s.asr.getProtectedItem(s.ref)).toMatchObject({
      protectionState: "PlannedFailoverCommitted",
      allowedOperations: expect.arrayContaining(["SwitchProtection"]),
    });
    const back = await s.asr.startReprotectToAzure(s.ref);
    expect(await s.asr.getJob(s.ref.vault, back.jobName)).toMatchObject({ scenarioName: "SwitchReplicationGroupProtection" });
    s.advance(11 * MINUTE);
    expect(await s.asr.getProtectedItem(s.ref)).toMatchObject({
      provider: "InMageRcm",
      protectionState: "Protected",
      activeLocation: "Primary",
      allowedOperations: ["UnplannedFailover", "TestFailover", "DisableProtection"],
    });
    expect(s.sim.misuse).toEqual([]);
  });

  it("refuses a wrong planned failover or reprotect body with a 400 naming the field, and starts nothing", async () => {
    const s = setup();
    await reprotected(s);
    s.advance(21 * MINUTE);
    const refused = async (action: string, body: unknown) => {
      const answer = await s.post(action, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      return `${answer.error?.code ?? ""}: ${answer.error?.message ?? ""}`;
    };
    expect(await refused("plannedFailover", failbackBody({ recoveryPointType: undefined }))).toMatch(/InvalidRequestContent: .*recoveryPointType/);
    expect(await refused("plannedFailover", failbackBody({ recoveryPointType: "Latest" }))).toMatch(/recoveryPointType/);
    expect(await refused("plannedFailover", failbackBody({ instanceType: "InMageRcm" }))).toMatch(/InvalidProviderSpecificInput: .*instanceType 'InMageRcm'/);
    expect(await refused("plannedFailover", failbackBody({}, { failoverDirection: "RecoveryToPrimary" }))).toMatch(/failoverDirection/);
    expect(await refused("plannedFailover", failbackBody({ surprise: 1 }))).toMatch(/surprise/);
    // Reprotect towards Azure is offered only after the failback; its body is checked first all the same.
    const reprotect = (details: Record<string, unknown>, direction = "PrimaryToRecovery") => ({
      properties: {
        failoverDirection: direction,
        providerSpecificDetails: { instanceType: "InMageRcmFailback", policyId: "/p", processServerId: "x", ...details },
      },
    });
    expect(await refused("reProtect", reprotect({}, "RecoveryToPrimary"))).toMatch(/failoverDirection/);
    expect(await refused("reProtect", reprotect({ policyId: undefined }))).toMatch(/policyId/);
    expect(await refused("reProtect", reprotect({ instanceType: "InMageRcm" }))).toMatch(/InvalidProviderSpecificInput/);
    expect(await refused("reProtect", reprotect({ processServerId: "not-the-appliance" }))).toMatch(/ProcessServerNotFound: .*not-the-appliance/);
    expect(await s.asr.getProtectedItem(s.ref)).toMatchObject({ protectionState: "Protected", currentScenario: { name: "None" } });
    // A valid reprotect towards Azure before the failback: ASR does not offer SwitchProtection then (409).
    const server = s.ref.vault.failbackReprotect?.processServerId ?? "";
    expect(await s.post("reProtect", reprotect({ processServerId: server }))).toMatchObject({ status: 409, error: { code: "InvalidOperation" } });
  });

  it("a failback job failed by fault leaves the item reprotected and offering the planned failover again", async () => {
    const s = setup({ failFirstFailbackOf: ["DC01"] });
    await reprotected(s);
    s.advance(21 * MINUTE);
    const first = await s.asr.startPlannedFailback(s.ref, "ApplicationConsistent");
    s.advance(10 * MINUTE);
    const failedJob = await s.asr.getJob(s.ref.vault, first.jobName);
    expect(failedJob).toMatchObject({ state: "Failed", scenarioName: "PlannedFailover" });
    expect(failedJob.errors.join(" ")).toMatch(/Planned failover of the virtual machine 'DC01'/);
    expect(await s.asr.getProtectedItem(s.ref)).toMatchObject({
      protectionState: "Protected",
      activeLocation: "Primary",
      allowedOperations: ["PlannedFailover", "DisableProtection"],
    });
    const second = await s.asr.startPlannedFailback(s.ref, "ApplicationConsistent");
    s.advance(10 * MINUTE);
    expect(await s.asr.getJob(s.ref.vault, second.jobName)).toMatchObject({ state: "Succeeded" });
  });

  it("a sandbox restored mid-way through the replication back carries on from where it was", async () => {
    const s = setup();
    await reprotected(s);
    s.advance(5 * MINUTE);
    const restored = setup(undefined, JSON.parse(JSON.stringify(s.sim.snapshot())) as WorldSnapshot);
    expect((await restored.asr.getProtectedItem(restored.ref)).failbackReplication).toEqual({ progressHealth: "InProgress", progressPercentage: 30 });
    restored.advance(15 * MINUTE);
    expect(await restored.asr.getProtectedItem(restored.ref)).toMatchObject({
      protectionState: "Protected",
      allowedOperations: ["PlannedFailover", "DisableProtection"],
    });
  });

  it("refuses a planned failover of an item that was never reprotected (409)", async () => {
    const s = setup();
    expect(await s.post("plannedFailover", { properties: { providerSpecificDetails: { instanceType: "InMageRcm" } } })).toMatchObject({
      status: 409,
      error: { code: "InvalidOperation" },
    });
    expect(await s.post("plannedFailover", failbackBody({}))).toMatchObject({ status: 400, error: { code: "InvalidProviderSpecificInput" } });
  });
});
