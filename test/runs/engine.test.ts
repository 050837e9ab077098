import { describe, expect, it } from "vitest";
import { planFailover } from "../../shared/domain/planFailover.js";
import { sampleEstate } from "../helpers.js";
import { expectOneFailoverPerVm, runFailover } from "./engineHarness.js";

const estate = sampleEstate();
const allVms = estate.vms.map((vm) => vm.name);
const ones = Object.fromEntries(allVms.map((vm) => [vm, 1]));

describe("failover engine through simulated Azure", () => {
  it("fails the whole site over in dependency order, flips DNS and routes, and commits", async () => {
    const result = await runFailover();
    expect(result.run.status).toBe("succeeded");
    expect(result.steps.every((s) => s.status === "succeeded")).toBe(true);
    expect(expectOneFailoverPerVm(result, allVms)).toEqual(ones);
    expect(result.stack.azure.misuse).toEqual([]);

    // Each tier started only after the tiers it depends on were ready.
    for (const tier of estate.tiers) {
      const firstFailover = Math.min(
        ...estate.vms.filter((vm) => vm.tier === tier.name).map((vm) => Date.parse(result.step(`failover:${vm.name}`).startedAt ?? "")),
      );
      for (const dep of tier.dependsOn) expect(firstFailover).toBeGreaterThanOrEqual(Date.parse(result.step(`tier-ready:${dep}`).finishedAt ?? ""));
    }
    for (const record of estate.dns)
      expect(result.stack.azure.dnsRecord(record.zoneType, record.zone, record.name)?.addresses).toEqual(record.failoverAddresses);
    const route = estate.routes[0];
    if (!route) throw new Error("the sample estate has a route");
    // The recovered NAT's NIC carries the item's static target IP (the estate's recoveryIp).
    expect(result.stack.azure.route(route.routeTable, route.route)?.nextHopIpAddress).toBe(estate.vms.find((vm) => vm.name === route.nextHopVm)?.recoveryIp);
    for (const vm of allVms) expect(result.stack.azure.protectedItem(vm).allowedOperations).not.toContain("Commit");
    expect(result.events.map((e) => e.kind)).toEqual(["runStarted", ...estate.tiers.map(() => "tierCompleted"), "runCompleted"]);
    expect(result.step("failover:DC01").journal.recoveryPoint?.type).toBeDefined();
    // The lock is released: a new run may start.
    expect(await result.stack.store.acquireRunLock(estate.name, "next-run")).toBe("next-run");
  });

  it("runs a test failover in the isolated network, leaves production alone and sweeps the test VMs", async () => {
    const result = await runFailover({ request: { mode: "test", scope: { kind: "all" } } });
    expect(result.run.status).toBe("succeeded");
    // One DC of two goes into the isolated network (Microsoft's guidance for AD with Site Recovery).
    const drilled = allVms.filter((vm) => vm !== "DC02");
    expect(expectOneFailoverPerVm(result, drilled)).toEqual(Object.fromEntries(drilled.map((vm) => [vm, 1])));
    expect(result.stack.azure.stats().failoverCalls["DC02"] ?? 0).toBe(0);
    // The checks ran on the test VM the job named, in the item's target resource group.
    const web = estate.vms.find((vm) => vm.name === "WEB01");
    expect(result.step("failover:WEB01").journal.output).toEqual({
      testVmId: `${web?.recoveryVmId.replace(/WEB01$/, "")}WEB01-test`,
      testVmName: "WEB01-test",
    });
    expect(result.step("checks:DC01").status).toBe("succeeded");
    for (const record of estate.dns)
      expect(result.stack.azure.dnsRecord(record.zoneType, record.zone, record.name)?.addresses).not.toEqual(record.failoverAddresses);
    expect(result.stack.azure.existingVmNames().filter((n) => n.endsWith("-test"))).toEqual([]);
    for (const vm of allVms) expect(result.stack.azure.protectedItem(vm).activeLocation).toBe("Primary");
    expect(result.stack.azure.misuse).toEqual([]);
  });

  it("refuses a second run while one is active and names the active one", async () => {
    const result = await runFailover({ request: { mode: "test", scope: { kind: "tiers", tiers: ["identity"] } } });
    await result.stack.store.acquireRunLock(estate.name, "held-by-someone");
    const second = await result.stack.engine.startRun({ mode: "unplanned", scope: { kind: "all" } }, "test");
    expect(second).toMatchObject({ started: false, activeRunId: "held-by-someone" });
  });

  it("stops at a failed gate, says why, and starts nothing after it", async () => {
    const result = await runFailover({ faults: { brokenDomainTrust: ["API02"] } });
    expect(result.run.status).toBe("failed");
    expect(result.run.failureReason).toMatch(/checks:API02 failed: .*domainSecureChannel failed/);
    for (const vm of estate.vms.filter((v) => v.tier === "web" || v.tier === "recommendation"))
      expect(result.stack.azure.stats().failoverCalls[vm.name] ?? 0).toBe(0);
    expect(result.steps.filter((s) => s.step.kind === "commit").every((s) => s.status !== "succeeded")).toBe(true);
    expect(result.events.at(-1)).toMatchObject({ kind: "runFailed" });
    // Nothing is left hanging: every step either finished, failed, was cancelled, or never became ready.
    expect(result.steps.filter((s) => ["queued", "running", "waiting"].includes(s.status))).toEqual([]);
  });

  it("never starts a failover when the target-region DC is unhealthy", async () => {
    const result = await runFailover({ faults: { unhealthyTargetDc: true } });
    expect(result.run.status).toBe("failed");
    expect(result.run.failureReason).toMatch(/verify-dc/);
    expect(result.stack.azure.stats().failoverCalls).toEqual({});
  });

  it("survives throttling, 5xx and a failed ASR job with one accepted failover per attempt", async () => {
    const result = await runFailover({
      faults: { throttleEveryNth: { n: 9, retryAfterSeconds: 0 }, serverErrorEveryNth: 7, failFirstFailoverJobOf: ["API03"] },
    });
    expect(result.run.status).toBe("succeeded");
    expect(expectOneFailoverPerVm(result, allVms)).toEqual({ ...ones, API03: 2 });
    expect(result.step("failover:API03").journal.failedJobs).toHaveLength(1);
    expect(result.stack.azure.misuse).toEqual([]);
  });

  it("drops duplicate sends by message id and shrugs off duplicates that slip past the window", async () => {
    const result = await runFailover({
      onStack: (stack) => {
        const send = stack.queue.send.bind(stack.queue);
        // Every message is sent twice with its own id (dropped) and once more under a new id (delivered).
        stack.queue.send = async (messages) => {
          await send(messages);
          await send(messages);
          await send(messages.map((m) => ({ ...m, messageId: `${m.messageId}#again` })));
        };
      },
    });
    expect(result.run.status).toBe("succeeded");
    expect(result.stack.queue.stats.duplicatesDropped).toBeGreaterThan(0);
    expect(expectOneFailoverPerVm(result, allVms)).toEqual(ones);
  });

  it("fails the run and tells people when a step's message is dead-lettered", async () => {
    const result = await runFailover({
      // The worker crashes every time it tries to record this step's progress.
      boundary: (name, context) => {
        if (name === "journalSaving" && context.stepId === "checks:API01") throw new Error("worker crashed");
      },
    });
    expect(result.run.status).toBe("failed");
    expect(result.step("checks:API01")).toMatchObject({ status: "failed", error: expect.stringContaining("dead-lettered") });
    expect(result.stack.queue.deadLetters).toHaveLength(1);
    expect(result.events.at(-1)).toMatchObject({ kind: "runFailed" });
  });

  it("plans exactly what it runs", async () => {
    const result = await runFailover({ request: { mode: "test", scope: { kind: "tiers", tiers: ["web"] } } });
    const planned = planFailover(estate, { mode: "test", scope: { kind: "tiers", tiers: ["web"] } })
      .steps.map((s) => s.id)
      .sort();
    expect(result.steps.map((s) => s.step.id).sort()).toEqual(planned);
  });
});
