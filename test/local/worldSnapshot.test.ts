import { readFileSync } from "node:fs";
import type { UnplannedFailoverInput } from "@azure/arm-recoveryservices-siterecovery";
import { describe, expect, it } from "vitest";
import { createDevIdentity } from "../../local/devIdentity.js";
import { createSimulatedClients } from "../../local/simulated-azure/clients.js";
import { createSimulatedAzure } from "../../local/simulated-azure/simulatedAzure.js";
import type { WorldSnapshot } from "../../local/simulated-azure/worldSnapshot.js";
import { createTokenVerifier } from "../../shared/auth/tokenVerifier.js";
import { parseEstate, type Estate } from "../../shared/domain/estate.js";

const estate: Estate = parseEstate(JSON.parse(readFileSync(new URL("../../estate/sample-estate.json", import.meta.url), "utf8")));
const MINUTE = 60_000;
const RG = "rg-contoso-dr-eastus";

/** A simulator on a manual clock, optionally restored from a snapshot (taking its clock instant, as the sandbox does). */
function setup(restore?: WorldSnapshot) {
  let t = restore ? Date.parse(restore.clock) : Date.parse("2025-03-01T10:02:30Z");
  const sim = createSimulatedAzure({ estate, clock: { now: () => new Date(t) }, ...(restore ? { restore } : {}) });
  return { sim, ...createSimulatedClients(sim, estate.subscriptionId, { retryDelayInMs: 1, maxRetryDelayInMs: 5 }), advance: (ms: number) => (t += ms) };
}

function itemArgs(name: string): [string, string, string, string, string] {
  const vm = estate.vms.find((v) => v.name === name);
  const vault = vm ? estate.vaults[vm.vault] : undefined;
  if (!vm || !vault) throw new Error(`no VM ${name}`);
  return [vault.name, vault.resourceGroup, vault.fabric, vault.protectionContainer, vm.protectedItem];
}

const unplanned: UnplannedFailoverInput = {
  properties: {
    failoverDirection: "PrimaryToRecovery",
    sourceSiteOperations: "NotRequired",
    providerSpecificDetails: { instanceType: "InMageRcm", performShutdown: "false" },
  },
};

/** The job name a begin* poller follows (its Azure-AsyncOperation URL's last segment). */
function jobNameOf(poller: { toString(): string }): string {
  const state = JSON.parse(poller.toString()) as { state: { config: { operationLocation: string } } };
  return (state.state.config.operationLocation.split("?")[0] ?? "").split("/").pop() ?? "";
}

describe("simulated Azure saved and restored (a sandbox's azure.json)", () => {
  it("keeps a running job running by the clock, the item's state, DNS writes and the call counts, and never reissues a job name", async () => {
    const first = setup();
    const poller = await first.siteRecovery.replicationProtectedItems.beginUnplannedFailover(...itemArgs("DC01"), unplanned);
    const jobName = jobNameOf(poller);
    const before = await first.dns.recordSets.get(RG, "contoso.com", "api", "A");
    await first.dns.recordSets.createOrUpdate(
      RG,
      "contoso.com",
      "api",
      "A",
      { ttl: 300, aRecords: [{ ipv4Address: "20.62.10.20" }] },
      { ifMatch: before.etag ?? "" },
    );
    first.advance(3 * MINUTE);
    const snapshot = JSON.parse(JSON.stringify(first.sim.snapshot())) as WorldSnapshot;

    const second = setup(snapshot);
    const [vaultName, resourceGroup] = itemArgs("DC01");
    expect((await second.siteRecovery.replicationJobs.get(vaultName, resourceGroup, jobName)).properties).toMatchObject({
      state: "InProgress",
      scenarioName: "UnplannedFailover",
    });
    expect(second.sim.protectedItem("DC01").allowedOperations).toEqual([]);
    // ASR refuses a second failover of the item while its job runs, after the restart too.
    await expect(second.siteRecovery.replicationProtectedItems.beginUnplannedFailover(...itemArgs("DC01"), unplanned)).rejects.toMatchObject({
      statusCode: 409,
    });
    expect(second.sim.dnsRecord("public", "contoso.com", "api")?.addresses).toEqual(["20.62.10.20"]);
    expect(second.sim.nextCompletionAt()?.getTime()).toBe(Date.parse(snapshot.clock) + 5 * MINUTE);
    const next = await second.siteRecovery.replicationProtectedItems.beginUnplannedFailover(...itemArgs("NAT01"), unplanned);
    expect(jobNameOf(next)).not.toBe(jobName);

    second.advance(5 * MINUTE);
    expect((await second.siteRecovery.replicationJobs.get(vaultName, resourceGroup, jobName)).properties).toMatchObject({ state: "Succeeded" });
    expect(second.sim.protectedItem("DC01")).toMatchObject({ protectionState: "UnplannedFailoverCommitPendingStatesBegin", activeLocation: "Recovery" });
    expect(second.sim.existingVmNames()).toContain("DC01");

    expect(second.sim.stats().failoverCalls).toEqual({ DC01: 1, NAT01: 1 });
    expect(second.sim.misuse).toEqual([]);
  });

  it("refuses a snapshot of another estate", () => {
    const snapshot = { ...setup().sim.snapshot(), estate: "another-estate" };
    expect(() => setup(snapshot)).toThrow(/estate 'another-estate'/);
  });
});

describe("the dev identity's keys saved and restored (a sandbox's identity.json)", () => {
  it("verifies a token issued before the restart, with the same alert key", async () => {
    const first = await createDevIdentity();
    const token = await first.issueToken({ name: "rita.reader@contoso.com", roles: ["reader"] });
    const keys = JSON.parse(JSON.stringify(await first.exportKeys())) as Awaited<ReturnType<typeof first.exportKeys>>;
    const second = await createDevIdentity(keys);
    expect(second.alertKey).toBe(first.alertKey);
    expect(await createTokenVerifier(second.verifier)(token)).toMatchObject({ ok: true, principal: { name: "rita.reader@contoso.com", roles: ["reader"] } });
    // A new identity's key does not verify it: the restored key is what keeps it valid.
    expect(await createTokenVerifier((await createDevIdentity()).verifier)(token)).toMatchObject({ ok: false });
  });
});
