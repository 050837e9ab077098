import { describe, expect, it } from "vitest";
import { createSimulatedClients } from "../../local/simulated-azure/clients.js";
import type { FailoverRequest } from "../../shared/domain/plan.js";
import type { Scope } from "../../shared/domain/plan.js";
import { linkFailoverRun } from "../../shared/runs/failoverRunLink.js";
import { previewRun } from "../../shared/runs/runPreview.js";
import { EDGE_SCOPE, roundTripStack, SMALL_SCOPE, SMALL_VMS, type RoundTripStack } from "./failbackHarness.js";

const EGRESS = { zoneType: "private", zone: "corp.contoso.internal", name: "egress" } as const;
const ROUTE = { table: "rt-app-eastus", route: "default-via-nat" } as const;
const PLANNED_FAILOVER = "ReplicationProtectedItems_PlannedFailover";

/** Fails the small scope over and prepares its failback; returns the failover's run id and what the names and routes held before it. */
async function failedOverAndReprotected(rt: RoundTripStack, scope: Scope = SMALL_SCOPE) {
  const { azure } = rt.stack;
  const before = {
    egress: azure.dnsRecord(EGRESS.zoneType, EGRESS.zone, EGRESS.name)?.addresses,
    nextHop: azure.route(ROUTE.table, ROUTE.route)?.nextHopIpAddress,
  };
  const failover = await rt.run({ mode: "unplanned", scope });
  expect(failover.run.status).toBe("succeeded");
  const prep = await rt.run({ mode: "failback-prep", scope, failoverRunId: failover.runId });
  expect(prep.run.status).toBe("succeeded");
  return { failoverRunId: failover.runId, before };
}

const failbackOf = (failoverRunId: string, scope: Scope = SMALL_SCOPE): FailoverRequest => ({ mode: "failback", scope, failoverRunId });

describe("failback through the real engine, SDK clients and simulated ASR", () => {
  it("waits for replication back, fails each VM back once in tier order, sets names and routes back, commits and protects towards Azure again", async () => {
    const rt = await roundTripStack();
    const { azure } = rt.stack;
    const { failoverRunId, before } = await failedOverAndReprotected(rt);
    expect(before.egress).toBeDefined();
    expect(azure.dnsRecord(EGRESS.zoneType, EGRESS.zone, EGRESS.name)?.addresses).toEqual(["10.50.0.10"]);
    expect(azure.protectedItem("DC01")).toMatchObject({ protectionState: "InitialReplicationInProgress", allowedOperations: ["DisableProtection"] });

    const back = await rt.run(failbackOf(failoverRunId));
    expect(back.run.status).toBe("succeeded");
    expect(back.steps.filter((s) => s.status !== "succeeded").map((s) => s.step.id)).toEqual([]);
    // Exactly one planned failover POST accepted per VM, each VM failed back.
    expect(azure.stats().byOperation[PLANNED_FAILOVER]).toBe(SMALL_VMS.length);
    expect(azure.stats().byOperation[`${PLANNED_FAILOVER}:409`]).toBeUndefined();
    expect(azure.dnsRecord(EGRESS.zoneType, EGRESS.zone, EGRESS.name)?.addresses).toEqual(before.egress);
    expect(azure.route(ROUTE.table, ROUTE.route)?.nextHopIpAddress).toBe(before.nextHop);
    for (const vm of SMALL_VMS)
      expect(azure.protectedItem(vm)).toMatchObject({
        protectionState: "Protected",
        activeLocation: "Primary",
        allowedOperations: ["UnplannedFailover", "TestFailover", "DisableProtection"],
      });
    expect(azure.misuse).toEqual([]);

    const at = (id: string) => {
      const step = back.steps.find((s) => s.step.id === id);
      if (!step?.startedAt || !step.finishedAt) throw new Error(`step ${id} has no times`);
      return { start: Date.parse(step.startedAt), end: Date.parse(step.finishedAt) };
    };
    // The replication wait polled until ASR's initial replication back (20 simulated minutes) was over.
    const waited = at("await-failback-replication:DC01");
    expect(waited.end - waited.start).toBeGreaterThanOrEqual(10 * 60_000);
    expect(at("await-approve").start).toBeGreaterThanOrEqual(Math.max(...SMALL_VMS.map((vm) => at(`await-failback-replication:${vm}`).end)));
    expect(at("verify-dc").start).toBeGreaterThanOrEqual(at("await-approve").end);
    expect(at("failback:DC01").start).toBeGreaterThanOrEqual(at("verify-dc").end);
    expect(at("failback:NAT01").start).toBeGreaterThanOrEqual(at("tier-ready:identity").end);
    // The NAT answered on vSphere, at its onPremisesIp, before its name and route went back to it.
    expect(at("probe-on-premises:NAT01").start).toBeGreaterThanOrEqual(at("failback:NAT01").end);
    expect(back.steps.find((s) => s.step.id === "probe-on-premises:NAT01")?.detail).toBe("http://192.168.100.4:8080/healthz: HTTP 200 OK from NAT01");
    expect(at("restore-dns:private:corp.contoso.internal:egress").start).toBeGreaterThanOrEqual(at("probe-on-premises:NAT01").end);
    expect(at("commit:DC01").start).toBeGreaterThanOrEqual(at("tier-ready:edge").end);
    expect(at("reprotect-azure:DC01").start).toBeGreaterThanOrEqual(at("commit:DC01").end);
    expect(rt.events.filter((e) => e.runId === back.runId).map((e) => e.kind)).toEqual(
      expect.arrayContaining(["approvalNeeded", "tierCompleted", "runCompleted"]),
    );
  });

  it("starts a failed failback job again, then leaves a record someone changed since the failover as it is and stops before the commit", async () => {
    const rt = await roundTripStack({ faults: { failFirstFailbackOf: ["NAT01"] } });
    const { azure } = rt.stack;
    const { failoverRunId, before } = await failedOverAndReprotected(rt, EDGE_SCOPE);
    const clients = createSimulatedClients(azure, rt.stack.estate.subscriptionId);
    const current = await clients.privateDns.recordSets.get("rg-contoso-dr-eastus", EGRESS.zone, "A", EGRESS.name);
    // An operator points the name elsewhere while the VMs run in Azure.
    await clients.privateDns.recordSets.createOrUpdate(
      "rg-contoso-dr-eastus",
      EGRESS.zone,
      "A",
      EGRESS.name,
      { ttl: 60, aRecords: [{ ipv4Address: "10.50.0.99" }] },
      { ifMatch: current.etag ?? "*" },
    );

    // The dry run says so before any downtime: the record would be refused, the route set back.
    const preview = await previewRun(
      { ...rt.stack.root.runApi.reads, estate: rt.stack.estate, clock: rt.stack.clock, runs: rt.stack.store },
      failbackOf(failoverRunId, EDGE_SCOPE),
    );
    expect(preview.problems).toEqual([
      {
        field: "failback",
        message: expect.stringMatching(/^egress\.corp\.contoso\.internal: holds 10\.50\.0\.99, not 10\.50\.0\.10 .*without overwriting it/),
      },
    ]);
    expect(preview.vms).toEqual([
      expect.objectContaining({
        vm: "NAT01",
        failback: expect.objectContaining({
          ready: false,
          protectionState: "InitialReplicationInProgress",
          probeOnPremises: "http://192.168.100.4:8080/healthz",
        }),
      }),
    ]);
    expect(preview.routeChanges).toEqual([
      expect.objectContaining({ route: "rt-app-eastus/default-via-nat", to: before.nextHop, detail: expect.stringMatching(/^set back to/) }),
    ]);
    expect(preview.dnsChanges).toEqual([expect.objectContaining({ record: "egress.corp.contoso.internal", from: ["10.50.0.99"], to: before.egress })]);
    expect(preview.approvalsNeeded).toEqual([
      expect.objectContaining({ decision: "approve", when: expect.stringMatching(/before the first planned failover/) }),
    ]);

    const back = await rt.run(failbackOf(failoverRunId, EDGE_SCOPE));
    // The first failback job failed (simulated fault): the step forgot it and started one more.
    expect(azure.stats().byOperation[PLANNED_FAILOVER]).toBe(2);
    expect(back.steps.find((s) => s.step.id === "failback:NAT01")?.journal.failedJobs).toHaveLength(1);
    expect(back.run.status).toBe("failed");
    const restore = back.steps.find((s) => s.step.id === "restore-dns:private:corp.contoso.internal:egress");
    expect(restore?.status).toBe("failed");
    expect(restore?.error).toMatch(/holds 10\.50\.0\.99, not 10\.50\.0\.10 .*not overwritten .*before the failover: /);
    expect(back.run.failureReason).toMatch(/restore-dns:private:corp\.contoso\.internal:egress/);
    expect(azure.dnsRecord(EGRESS.zoneType, EGRESS.zone, EGRESS.name)?.addresses).toEqual(["10.50.0.99"]);
    expect(before.egress).not.toEqual(["10.50.0.99"]);
    // The route, unchanged by anyone, went back; nothing after the tier's milestone ran: no commit of the failback.
    expect(azure.route(ROUTE.table, ROUTE.route)?.nextHopIpAddress).toBe(before.nextHop);
    expect(back.steps.filter((s) => s.step.kind === "commit" && s.status === "succeeded")).toEqual([]);
    expect(azure.stats().byOperation["ReplicationProtectedItems_FailoverCommit"]).toBe(1); // the failover's only
  });

  it("leaves a tier's name and route on Azure while its application does not answer on vSphere, and stops before the commit", async () => {
    const rt = await roundTripStack({ faults: { unhealthyOnPremises: ["NAT01"] } });
    const { azure } = rt.stack;
    const { failoverRunId } = await failedOverAndReprotected(rt, EDGE_SCOPE);
    const inAzure = {
      egress: azure.dnsRecord(EGRESS.zoneType, EGRESS.zone, EGRESS.name)?.addresses,
      nextHop: azure.route(ROUTE.table, ROUTE.route)?.nextHopIpAddress,
    };

    // While the NAT runs in Azure nothing answers at its on-premises address.
    expect((await azure.probe.probe("http://192.168.100.4:8080/healthz")).detail).toMatch(/ETIMEDOUT 192\.168\.100\.4:8080/);

    const back = await rt.run(failbackOf(failoverRunId, EDGE_SCOPE));
    expect(back.run.status).toBe("failed");
    const probe = back.steps.find((s) => s.step.id === "probe-on-premises:NAT01");
    expect(probe).toMatchObject({
      status: "failed",
      error: "http://192.168.100.4:8080/healthz: HTTP 503 Service Unavailable from NAT01: the application reports unhealthy on vSphere",
    });
    expect(probe?.retries).toBeGreaterThan(0);
    // The VM did fail back (once); what points at it stays on its Azure address, and nothing is committed.
    expect(azure.stats().byOperation[PLANNED_FAILOVER]).toBe(1);
    expect(azure.dnsRecord(EGRESS.zoneType, EGRESS.zone, EGRESS.name)?.addresses).toEqual(inAzure.egress);
    expect(azure.route(ROUTE.table, ROUTE.route)?.nextHopIpAddress).toBe(inAzure.nextHop);
    const notRun = back.steps.filter((s) => s.step.id.startsWith("restore-") || s.step.id.startsWith("commit:")).map((s) => s.status);
    expect(notRun.length).toBeGreaterThan(0);
    expect(notRun.every((status) => status !== "succeeded" && status !== "running")).toBe(true);
    expect(back.run.failureReason).toMatch(/probe-on-premises:NAT01/);
  });

  it("refuses to fail back a VM that was never reprotected, without any planned failover", async () => {
    const rt = await roundTripStack();
    const failover = await rt.run({ mode: "unplanned", scope: EDGE_SCOPE });
    const back = await rt.run(failbackOf(failover.runId, EDGE_SCOPE));
    expect(back.run.status).toBe("failed");
    expect(back.run.failureReason).toMatch(/await-failback-replication:\w+ failed: \w+: it does not replicate back to vSphere .*run failback-prep/);
    expect(rt.stack.azure.stats().byOperation[PLANNED_FAILOVER]).toBeUndefined();

    // The API links a failback to the latest succeeded unplanned run, and refuses to undo any other kind of run.
    expect(await linkFailoverRun(rt.stack.store, rt.stack.estate, { mode: "failback", scope: EDGE_SCOPE })).toEqual({
      ok: true,
      request: { mode: "failback", scope: EDGE_SCOPE, failoverRunId: failover.runId },
    });
    expect(await linkFailoverRun(rt.stack.store, rt.stack.estate, failbackOf(back.runId, EDGE_SCOPE))).toMatchObject({
      ok: false,
      status: 409,
      field: "failoverRunId",
      detail: expect.stringMatching(/is a failed failback run/),
    });
    expect(await linkFailoverRun(rt.stack.store, rt.stack.estate, failbackOf("run-nobody-made", EDGE_SCOPE))).toMatchObject({ ok: false, status: 400 });
  });
});
