import { afterAll, describe, expect, inject, it } from "vitest";
import type { HealthCheck, HealthReport } from "../../shared/domain/health/healthReport.js";
import type { HealthReadLimits } from "../../shared/health/readHealthSnapshot.js";
import { silentLogger } from "../../shared/ports/logger.js";
import { createLocalHealthCheck, type LocalHealthCheck } from "../../local/healthcheck.js";
import { healthFaultsFromProblems, type HealthFaultPlan } from "../../local/simulated-azure/healthFaults.js";
import { SimulatedClock } from "../../local/simulatedClock.js";
import { sampleEstate } from "../helpers.js";

// The whole health check through the real SDK clients (ARM, Monitor metrics, Log Analytics) against
// simulated Azure, with its history on Azurite: every known problem is recognised, explained, and
// isolated to the checks it concerns; failed reads never hide the others.

const estate = sampleEstate();
const START = new Date("2026-03-01T02:00:00Z");
// Each check runs over its own local stack; their Service Bus peers close with the file.
const opened: LocalHealthCheck[] = [];
afterAll(() => Promise.all(opened.splice(0).map((h) => h.stop())));

async function run(health: HealthFaultPlan = {}, limits?: Partial<HealthReadLimits>): Promise<{ local: LocalHealthCheck; report: HealthReport }> {
  const local = await createLocalHealthCheck({
    estate,
    tableEndpoint: inject("tableEndpoint"),
    faults: { health },
    replicationOnly: true,
    clock: new SimulatedClock(START, { realTime: false }),
    ...(limits ? { limits } : {}),
  });
  opened.push(local);
  const outcome = await local.root.run({ trigger: "test", isPastDue: false, holder: "test-run" }, silentLogger);
  if (outcome.status !== "completed") throw new Error("skipped");
  expect(local.azure.misuse).toEqual([]);
  return { local, report: outcome.report };
}

const allChecks = (r: HealthReport): HealthCheck[] => [...r.vms.flatMap((v) => v.checks), ...r.estateChecks];
/** id -> "status advice,ids" for every check that is not green. */
const notGreen = (r: HealthReport): Record<string, string> =>
  Object.fromEntries(
    allChecks(r)
      .filter((c) => c.status !== "green")
      .map((c) => [c.id, `${c.status} ${c.advice.map((a) => a.id).join(",")}`.trim()]),
  );
const find = (r: HealthReport, id: string): HealthCheck => {
  const c = allChecks(r).find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
};

describe("health check against simulated Azure", () => {
  it("a healthy estate is green, read with list calls per vault (≤ 3 reads per VM + fixed), and nothing is written but one read-only Run Command", async () => {
    const { local, report } = await run();
    expect(notGreen(report)).toEqual({});
    const stats = local.azure.stats();
    // The one POST: a read-only Run Command on the target DC (its DNS server's records and forwarders).
    expect(stats.writes).toBe(1);
    expect(stats.reads).toBeLessThanOrEqual(3 * estate.vms.length + 15);
    expect(stats.byOperation).toEqual({
      ReplicationProtectedItems_List: 2,
      ReplicationRecoveryPlans_List: 2,
      ReplicationPolicies_List: 2,
      RecoveryPoints_ListByReplicationProtectedItems: estate.vms.length,
      Metrics_Batch: 2,
      // The target DC's Heartbeat, and the vaults' Site Recovery logs the RPO alert rule reads.
      Query_Execute: 2,
      VirtualMachines_InstanceView: 1,
      RecordSets_Get: 2,
      PrivateRecordSets_Get: 3,
      // Per target region, its vCPU quotas and the VM sizes it offers.
      Usage_List: 2,
      ResourceSkus_List: 2,
      // The target DC's DNS server through one Run Command, polled every 15 s of its minute.
      VirtualMachines_RunCommand: 1,
      ComputeOperations_Get: 4,
      // The two recovery VNets' DNS servers, and the route through the NAT.
      VirtualNetworks_Get: 2,
      Routes_Get: 1,
    });
    // No get per VM.
    expect(stats.byOperation.ReplicationProtectedItems_Get).toBeUndefined();
    // Kept in history and told people.
    expect((await local.history.list(estate.name, 10)).map((e) => e.reportId)).toEqual([report.reportId]);
    expect(local.events).toEqual([
      expect.objectContaining({
        kind: "healthCheck",
        runId: report.reportId,
        health: { healthy: report.counts.green, warnings: 0, critical: 0, findings: [] },
      }),
    ]);
  });

  const KNOWN: Record<string, Record<string, string>> = {
    "av-blocking-agent": {
      "vm/API03/replication": "red mobility-agent-blocked",
      "vm/API03/rpo": "red mobility-agent-blocked",
      "vm/API03/appConsistency": "amber asr-78169-replication-network",
      "vm/API03/mobilityAgent": "red mobility-agent-blocked",
    },
    "vss-failing": { "vm/DC02/replication": "amber asr-78144-app-consistency", "vm/DC02/appConsistency": "red asr-78144-app-consistency" },
    "stale-rpo": { "vm/WEB02/rpo": "amber asr-78169-replication-network" },
    "network-trouble": { "vm/REC02/replication": "red asr-78169-replication-network", "vm/REC02/rpo": "red asr-78169-replication-network" },
    "vcenter-permissions": { "vm/NAT01/replication": "red vcenter-permissions" },
    "unknown-error": { "vm/API05/replication": "amber unknown-asr-error" },
    "agent-outdated": { "vm/WEB01/mobilityAgent": "amber mobility-agent-upgrade" },
    "never-tested": { "vm/REC04/testFailover": "amber test-failover-overdue" },
    "target-network-unset": { "vm/API06/targetSettings": "red target-settings" },
    "missing-vm": { "vm/WEB03/inventory": "red inventory-missing", "estate/inventoryDrift": "red inventory-drift" },
    "moved-vm": {
      "vm/REC03/inventory": "red inventory-moved",
      "estate/inventoryDrift": "red inventory-drift",
      "estate/recoveryPlan/eastus": "amber recovery-plan-drift",
    },
    "recovery-plan-drift": { "estate/recoveryPlan/eastus": "red recovery-plan-drift", "estate/recoveryPlan/seasia": "amber recovery-plan-drift" },
    "policy-retention-short": { "estate/replicationPolicy/eastus": "red replication-policy", "estate/replicationPolicy/seasia": "red replication-policy" },
    "expressroute-down": { "estate/expressRoute/er-contoso-primary": "red expressroute-down" },
    // Averaged over peerings this circuit reads 50 %; its private peering, which carries the site, is down.
    "private-peering-down": { "estate/expressRoute/er-contoso-primary": "red expressroute-down" },
    "target-dc-silent": { "estate/targetDc": "red target-dc-heartbeat,domain-trust-after-failover" },
    "run-command-unavailable": { "estate/runCommand": "red vm-agent" },
    "dns-high-ttl": { "estate/dns/public/contoso.com/www": "red dns-ttl" },
    "asr-logs-missing": {
      "estate/rpoAlert/rsv-contoso-dr-eastus": "amber rpo-alert-no-logs",
      "estate/rpoAlert/rsv-contoso-dr-seasia": "amber rpo-alert-no-logs",
    },
    "asr-logs-without-rpo": {
      "estate/rpoAlert/rsv-contoso-dr-eastus": "amber rpo-alert-no-logs",
      "estate/rpoAlert/rsv-contoso-dr-seasia": "amber rpo-alert-no-logs",
    },
  };

  it.each(Object.entries(KNOWN))("recognises %s, and only where it is", async (problem, expected) => {
    const { report } = await run(healthFaultsFromProblems([problem]));
    expect(notGreen(report)).toEqual(expected);
  });

  it("says exactly what to fix for the problems this customer met", async () => {
    const { report } = await run(
      healthFaultsFromProblems(["av-blocking-agent=API03,WEB01", "vss-failing", "vcenter-permissions", "network-trouble", "unknown-error"]),
    );
    expect(find(report, "vm/API03/mobilityAgent").advice[0]?.steps.join(" ")).toContain("C:\\Program Files (x86)\\Microsoft Azure Site Recovery\\");
    expect(find(report, "vm/WEB01/mobilityAgent").advice[0]?.steps.join(" ")).toContain("/usr/local/ASR");
    expect(find(report, "vm/API03/replication").reason).toContain("health error 78174");
    expect(find(report, "vm/DC02/appConsistency").reason).toMatch(/while crash-consistent points are fresh .*VSS/);
    expect(find(report, "vm/NAT01/replication").advice[0]?.steps.join(" ")).toContain("Propagate to child objects");
    expect(find(report, "vm/REC02/rpo").reason).toMatch(/Current RPO 50 min against the 30 min objective: breached/);
    const unknown = find(report, "vm/API05/replication").advice[0];
    expect(unknown?.verbatim).toMatch(/^Error SIM-0001: An unexpected condition was reported/);
    expect(unknown?.reference).toMatch(/^https:\/\/learn\.microsoft\.com\/azure\/site-recovery\//);
  });

  describe("one check failing never hides the others", () => {
    it("throttled ASR item lists make those VMs 'could not check (throttled)'; everything else is still checked", async () => {
      const { local, report } = await run({
        failReads: { "asr-items": "throttled" },
        throttleRetryAfterSeconds: 0,
        vssFailing: ["DC02"],
        expressRouteDown: ["er-contoso-primary"],
      });
      const vmChecks = report.vms.flatMap((v) => v.checks);
      expect(vmChecks.every((c) => c.status === "unknown" && /throttled by Azure \(HTTP 429\)/.test(c.reason))).toBe(true);
      expect(find(report, "estate/expressRoute/er-contoso-primary").status).toBe("red");
      expect(find(report, "estate/targetDc").status).toBe("green");
      expect(find(report, "estate/inventoryDrift").status).toBe("unknown");
      // Each throttled list was tried once and retried three times by the SDK (the local stacks' retry setting), honouring Retry-After.
      expect(local.azure.stats().byOperation["ReplicationProtectedItems_List:429"]).toBe(2 * 4);
    });

    it("a forbidden Log Analytics query makes only the checks that query it unknown (DC, RPO alert), with the reason", async () => {
      const { report } = await run({ failReads: { logs: "forbidden" }, avBlockingAgent: ["API03"] });
      expect(find(report, "estate/targetDc")).toMatchObject({
        status: "unknown",
        reason: expect.stringMatching(/forbidden: the Function App's identity lacks read access .*InsufficientAccessError/),
      });
      expect(find(report, "vm/API03/mobilityAgent").status).toBe("red");
      expect(Object.keys(notGreen(report)).filter((id) => !id.startsWith("vm/API03/"))).toEqual([
        "estate/targetDc",
        "estate/rpoAlert/rsv-contoso-dr-eastus",
        "estate/rpoAlert/rsv-contoso-dr-seasia",
      ]);
    });

    it("recovery point lists that time out make only the checks that need them unknown", async () => {
      const { report } = await run({ failReads: { "recovery-points": "timeout" } }, { perReadTimeoutMs: 200 });
      for (const vm of report.vms) {
        const byKind = new Map(vm.checks.map((c) => [c.kind, c]));
        expect(byKind.get("appConsistency")).toMatchObject({ status: "unknown", reason: "Could not check: timed out after 0.2 s." });
        expect(byKind.get("retention")?.status).toBe("unknown");
        expect(byKind.get("rpo")?.status).toBe("green");
      }
      expect(report.estateChecks.every((c) => c.status === "green")).toBe(true);
    });

    it("forbidden metrics and a timed-out DNS read are reported per check", async () => {
      const { report } = await run({ failReads: { metrics: "forbidden", dns: "timeout" } }, { perReadTimeoutMs: 200 });
      expect(find(report, "estate/expressRoute/er-contoso-secondary")).toMatchObject({ status: "unknown", reason: expect.stringContaining("forbidden") });
      expect(find(report, "estate/dns/private/corp.contoso.internal/api")).toMatchObject({ status: "unknown", reason: expect.stringContaining("timed out") });
      expect(report.vms.every((v) => v.status === "green")).toBe(true);
    });

    it("the whole read phase is bounded: past the budget, what has not answered is 'could not check'", async () => {
      const started = performance.now();
      const { report } = await run({ failReads: { "recovery-points": "timeout", logs: "timeout" } }, { perReadTimeoutMs: 60_000, budgetMs: 400 });
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(find(report, "estate/targetDc").reason).toMatch(/budget ran out/);
      expect(find(report, "vm/API01/retention").reason).toMatch(/budget ran out/);
      expect(find(report, "vm/API01/rpo").status).toBe("green");
    });
  });
});
