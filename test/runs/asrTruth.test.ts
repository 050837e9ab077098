import { describe, expect, it } from "vitest";
import { createSimulatedAzure } from "../../local/simulated-azure/simulatedAzure.js";
import { createSimulatedClients } from "../../local/simulated-azure/clients.js";
import { createSiteRecovery } from "../../shared/adapters/siteRecoveryAdapter.js";
import { sampleEstate } from "../helpers.js";
import { runFailover } from "./engineHarness.js";

const estate = sampleEstate();
const identity = { kind: "tiers", tiers: ["identity"] } as const;

/**
 * What real ASR does that the product used to assume away: jobs followed from the 202 (no
 * replicationOperationStatus poll), an ambiguous 5xx to a failover POST, partial success, suspended
 * jobs, waits past the RTO, the recorded job names, and a DC gate that runs while the site is down.
 */
describe("the failover path against ASR's real behaviour", () => {
  it("starts an operation with one POST and follows its job, reading nothing under replicationOperationStatus", async () => {
    const result = await runFailover({ request: { mode: "unplanned", scope: identity } });
    expect(result.run.status).toBe("succeeded");
    const ops = result.stack.azure.stats().byOperation;
    expect(ops["ReplicationOperationStatus_Get"] ?? 0).toBe(0);
    // Jobs are followed through the vault's job list (one look for both DCs' jobs at a time), not one GET per job and poll.
    expect(ops["ReplicationJobs_List"]).toBeGreaterThan(0);
    expect(ops["ReplicationJobs_Get"] ?? 0).toBe(0);
    // The commit is followed as ASR names it: a CommitFailover job.
    expect(result.step("commit:DC01").detail).toMatch(/\(CommitFailover\) succeeded/);
    expect(result.stack.azure.misuse).toEqual([]);
  });

  it("after a 500 to a failover POST that ASR carried out, asks ASR and adopts its job: one failover, not two", async () => {
    const result = await runFailover({ request: { mode: "unplanned", scope: identity }, faults: { ambiguousFailoverOf: ["DC01"] } });
    expect(result.run.status).toBe("succeeded");
    expect(result.stack.azure.stats().failoverCalls["DC01"]).toBe(1);
    expect(result.logs.some((l) => typeof l.properties["reason"] === "string" && l.properties["reason"].includes("ambiguous"))).toBe(true);
  });

  it("treats a partially succeeded failover job as a failure a person must look at, naming what ASR says", async () => {
    const result = await runFailover({ request: { mode: "unplanned", scope: identity }, faults: { partiallySucceededFailoverOf: ["DC02"] } });
    expect(result.run.status).toBe("failed");
    expect(result.step("failover:DC02")).toMatchObject({ status: "failed", error: expect.stringMatching(/ended PartiallySucceeded: 70094/) });
    expect(result.steps.filter((s) => s.step.kind === "commit" && s.status === "succeeded")).toEqual([]);
  });

  it("stops on a suspended job instead of polling it forever", async () => {
    const result = await runFailover({ request: { mode: "unplanned", scope: identity }, faults: { suspendedFailoverOf: ["DC01"] } });
    expect(result.run.status).toBe("failed");
    expect(result.step("failover:DC01").error).toMatch(/is suspended: resume or cancel it in the vault/);
  });

  it("gives up waiting for a job once the estate's RTO has passed, without cancelling it", async () => {
    // A failover job longer than the estate's 60 min RTO.
    const result = await runFailover({ request: { mode: "unplanned", scope: identity }, durations: { failoverMs: 90 * 60_000 } });
    expect(result.run.status).toBe("failed");
    expect(result.step("failover:DC01").error).toMatch(/still InProgress after 60 min \(the estate's RTO\); it was not cancelled/);
  });

  it("passes the DC gate while the lost site's DCs are listed but unreachable, and fails it when the target DC stops answering", async () => {
    const up = await runFailover({ request: { mode: "unplanned", scope: identity } });
    expect(up.step("verify-dc").detail).toMatch(
      /^target DC 10\.50\.1\.4 advertises as a DC of corp\.contoso\.com and answers LDAP and Kerberos \(2 other DC\(s\) listed, not required\); rootDSE: dc03-eus\.corp\.contoso\.com, isSynchronized TRUE$/,
    );
    const down = await runFailover({ request: { mode: "unplanned", scope: identity }, faults: { unhealthyTargetDc: true } });
    expect(down.run.status).toBe("failed");
    expect(down.step("verify-dc").error).toMatch(/not among the DCs its DNS lists .*LDAP: .*ECONNREFUSED/);
    expect(down.stack.azure.stats().failoverCalls).toEqual({});
  });

  it("runs a drill's checks on the test VM the job named, and the DC check on the one DC in the test network", async () => {
    const result = await runFailover({ request: { mode: "test", scope: identity } });
    expect(result.run.status).toBe("succeeded");
    expect(result.step("failover:DC01").journal.output).toMatchObject({ testVmName: "DC01-test" });
    expect(result.step("checks:DC01").detail).toMatch(/domainController: NTDS, DNS, Netlogon and KDC running/);
    expect(result.steps.some((s) => s.step.id === "failover:DC02")).toBe(false);
  });
});

describe("recovery points", () => {
  it("fails over to ASR's latest (lowest RPO) by sending no point, and journals the data it keeps", async () => {
    const result = await runFailover({ request: { mode: "unplanned", scope: { kind: "vms", vms: ["DC01"] } } });
    const point = result.step("failover:DC01").journal.recoveryPoint;
    expect(point).toMatchObject({ type: "Latest", choice: "latest" });
    expect(point?.id).toBeUndefined();
  });

  it("fails over to the newest listed point for latestProcessed (lowest RTO)", async () => {
    const result = await runFailover({ request: { mode: "unplanned", scope: { kind: "vms", vms: ["DC01"] }, recoveryPoint: "latestProcessed" } });
    const point = result.step("failover:DC01").journal.recoveryPoint;
    expect(point).toMatchObject({ choice: "latestProcessed", type: expect.stringMatching(/Consistent$/) });
    expect(point?.id).toMatch(/\/recoveryPoints\//);
  });
});

describe("the Site Recovery adapter", () => {
  it("takes the job from the 202 and reads a test job's VMs only once it has succeeded, without the SDK's begin*() poll", async () => {
    const clock = { now: () => new Date("2026-11-25T02:00:00Z") };
    const sim = createSimulatedAzure({ estate, clock });
    const clients = createSimulatedClients(sim, estate.subscriptionId);
    const port = createSiteRecovery({
      client: clients.siteRecovery,
      actions: createSimulatedClients(sim, estate.subscriptionId, { maxRetries: 0 }).siteRecovery,
    });
    const vault = estate.vaults["eastus"]!;
    const started = await port.startTestFailover({ vault, protectedItem: "dc01-vsphere" }, undefined);
    expect(started.jobName).toMatch(/^[0-9a-f-]{36}$/);
    expect((await port.getJob(vault, started.jobName)).testVms).toEqual([]);
    expect(sim.stats().byOperation["ReplicationOperationStatus_Get"] ?? 0).toBe(0);
  });
});
