import { describe, expect, it } from "vitest";
import type { LocalStack } from "../../local/localStack.js";
import type { FaultPlan } from "../../local/simulated-azure/simulatedAzure.js";
import type { FailoverRequest } from "../../shared/domain/plan.js";
import { decideApproval, decideCancel, decideConfirm, decideResume, resumedStep, type RunControl } from "../../shared/runs/runControl.js";
import type { RunRecord, StepRecord } from "../../shared/ports/runStore.js";
import { createRunReports } from "../../shared/runs/runReports.js";
import { runControlStack } from "./runControlStack.js";

const alice = { id: "oid-alice", name: "alice@contoso.com" };
const bob = { id: "oid-bob", name: "bob@contoso.com" };

const statusOf = async (stack: LocalStack, runId: string): Promise<Record<string, string>> =>
  Object.fromEntries((await stack.store.listSteps(runId)).map((s) => [s.step.id, s.status]));

describe("run control through the real engine", () => {
  it("parks at the approval gate, goes on when another person approves, parks again for the commit, and finishes on commit", async () => {
    const { stack, control } = await runControlStack();
    const request: FailoverRequest = { mode: "unplanned", scope: { kind: "tiers", tiers: ["edge"] }, approvalRequired: true, manualFinish: true };
    const { runId } = await stack.engine.startRun(request, "test", undefined, { requestedBy: alice.id });
    await stack.drain(); // the queue empties: a parked gate schedules nothing
    let steps = await statusOf(stack, runId);
    expect(steps["verify-dc"]).toBe("succeeded");
    expect(steps["await-approve"]).toBe("waiting");
    expect(steps["failover:NAT01"]).toBe("pending");
    expect(stack.azure.stats().failoverCalls).toEqual({});

    expect(await control.commit(runId, bob)).toMatchObject({ ok: false, status: 409, detail: expect.stringMatching(/not yet/) });
    expect(await control.approve(runId, alice)).toMatchObject({ ok: false, status: 403 });
    expect(await control.approve(runId, bob)).toMatchObject({ ok: true, status: 202 });
    expect(await control.approve(runId, bob)).toMatchObject({ ok: true, status: 200, body: { alreadyRecorded: true } });
    await stack.drain();
    steps = await statusOf(stack, runId);
    expect(steps["failover:NAT01"]).toBe("succeeded");
    expect(steps["await-commit"]).toBe("waiting");
    expect(steps["commit:NAT01"]).toBe("pending");
    expect(stack.azure.protectedItem("NAT01").allowedOperations).toContain("Commit");

    expect(await control.commit(runId, bob)).toMatchObject({ ok: true, status: 202 });
    await stack.drain();
    expect((await stack.store.getRun(runId))?.value).toMatchObject({
      status: "succeeded",
      decisions: { approve: { byName: bob.name }, commit: { byName: bob.name } },
    });
    expect(stack.azure.protectedItem("NAT01").protectionState).toBe("UnplannedFailoverCommitted");
    const audit = await stack.audit.list({ runId });
    expect(audit.some((e) => e.action === "step failover NAT01" && e.result === "done")).toBe(true);
    expect(audit.some((e) => e.action === "approve" && e.result === "refused 403")).toBe(true);
  });

  it("cancels: nothing new starts, steps in flight finish and are named, the estate is free again", async () => {
    const { stack, control } = await runControlStack();
    const { runId } = await stack.engine.startRun({ mode: "test", scope: { kind: "all" } }, "test");
    let cancelled: Awaited<ReturnType<RunControl["cancel"]>> | undefined;
    await stack.queue.drain({
      handler: async (message) => {
        await stack.engine.handleStepMessage(message);
        if (!cancelled && message.stepId.startsWith("failover:DC")) cancelled = await control.cancel(runId, alice, "wrong change window");
      },
      onDeadLetter: (message, reason) => stack.engine.handleDeadLetter(message, reason),
      concurrency: 16,
    });
    expect(cancelled).toMatchObject({ ok: true, status: 202, body: { status: "cancelled" } });
    const inFlight = (cancelled as unknown as { body: { inFlight: { id: string }[] } }).body.inFlight.map((s) => s.id);
    expect(inFlight).toContain("failover:DC01");
    const steps = await statusOf(stack, runId);
    expect(steps["failover:API01"]).toBe("cancelled");
    expect(steps["notify-complete"]).toBe("cancelled");
    // A drill fails over one DC only (DC01, the estate's drill DC).
    expect(Object.keys(stack.azure.stats().failoverCalls).sort()).toEqual(["DC01"]);
    expect((await stack.store.getRun(runId))?.value.status).toBe("cancelled");
    expect(await control.cancel(runId, alice, "again")).toMatchObject({ ok: false, status: 409 });
    // The drill left test VMs behind: cleanup sweeps them with a run of its own.
    const sweep = await control.cleanup(runId, alice);
    expect(sweep).toMatchObject({ ok: true, status: 202, body: { cleanupOf: runId, vms: ["DC01"] } });
    await stack.drain();
    expect(stack.azure.existingVmNames().filter((n) => n.endsWith("-test"))).toEqual([]);
    expect(await control.cleanup(runId, alice)).toMatchObject({ ok: true, status: 200 });
    // The drill's report names the operator's cleanup run, found by the drill its request names.
    const cleanupRunId = sweep.ok ? sweep.runId : "";
    expect((await stack.store.getRun(cleanupRunId))?.value.request).toMatchObject({ cleanupOnly: true, cleanupOf: runId });
    const report = await createRunReports({ estate: stack.estate, runs: stack.store, clock: stack.clock }).report(runId);
    expect(report?.estateAfter.testVmCleanup).toMatchObject({ state: "cleanedUp", runId: cleanupRunId });
  });

  it("resumes a failed run once its cause is fixed: the failed check runs again and the run completes", async () => {
    const faults: FaultPlan = { brokenDomainTrust: ["API02"] };
    const { stack, control } = await runControlStack({ faults });
    const { runId } = await stack.engine.startRun({ mode: "unplanned", scope: { kind: "tiers", tiers: ["identity", "edge", "api"] } }, "test");
    await stack.drain();
    expect((await stack.store.getRun(runId))?.value.status).toBe("failed");
    expect((await statusOf(stack, runId))["checks:API02"]).toBe("failed");

    const other = await stack.engine.startRun({ mode: "test", scope: { kind: "vms", vms: ["REC01"] }, approvalRequired: true }, "test");
    expect(await control.resume(runId, alice)).toMatchObject({ ok: false, status: 409, extra: { activeRunId: other.runId } });
    await control.cancel(other.runId, alice, "make way");

    faults.brokenDomainTrust = []; // a person rejoined API02 to the domain
    expect(await control.resume(runId, alice)).toMatchObject({ ok: true, status: 202, body: { retried: ["checks:API02"] } });
    await stack.drain();
    const run = (await stack.store.getRun(runId))?.value;
    expect(run).toMatchObject({ status: "succeeded", decisions: { resumes: [{ byName: alice.name, steps: ["checks:API02"] }] } });
    expect(Object.values(await statusOf(stack, runId)).every((s) => s === "succeeded")).toBe(true);
    expect(stack.azure.stats().failoverCalls["API02"]).toBe(1);
    expect(await control.resume(runId, alice)).toMatchObject({ ok: false, status: 409 });
  });

  it("prepares failback: reprotect once the failover is committed, refused while the on-premises site is unreachable", async () => {
    const faults: FaultPlan = {};
    const { stack } = await runControlStack({ faults });
    const failover = await stack.engine.startRun({ mode: "unplanned", scope: { kind: "tiers", tiers: ["identity"] } }, "test");
    await stack.drain();
    expect((await stack.store.getRun(failover.runId))?.value.status).toBe("succeeded");
    expect(stack.azure.protectedItem("DC01").allowedOperations).toContain("SwitchProtection");

    faults.onPremisesUnreachable = true;
    const blocked = await stack.engine.startRun({ mode: "failback-prep", scope: { kind: "vms", vms: ["DC01"] } }, "test");
    await stack.drain();
    expect((await stack.store.getRun(blocked.runId))?.value).toMatchObject({
      status: "failed",
      failureReason: expect.stringMatching(/on-premises site is not reachable/),
    });

    faults.onPremisesUnreachable = false;
    const prep = await stack.engine.startRun({ mode: "failback-prep", scope: { kind: "tiers", tiers: ["identity"] } }, "test");
    await stack.drain();
    expect((await stack.store.getRun(prep.runId))?.value.status).toBe("succeeded");
    // Recorded (TestV2ARCMFailback.json): a reprotected item replicates towards vSphere as InMageRcmFailback, active on Primary,
    // first in its initial replication back (only DisableProtection offered), Protected with PlannedFailover once caught up.
    expect(stack.azure.protectedItem("DC01")).toMatchObject({
      protectionState: "InitialReplicationInProgress",
      activeLocation: "Primary",
      allowedOperations: ["DisableProtection"],
    });
    expect(stack.azure.misuse).toEqual([]);
  });
});

describe("run control decisions (pure)", () => {
  const run = (over: Partial<RunRecord> = {}): RunRecord => ({
    runId: "r1",
    estate: "e",
    mode: "unplanned",
    request: { mode: "unplanned", scope: { kind: "all" } },
    trigger: "t",
    notes: [],
    status: "running",
    startedAt: "2026-01-01T00:00:00Z",
    ...over,
  });
  const step = (id: string, status: StepRecord["status"], dependsOn: string[] = [], kind: "tierReady" | "awaitDecision" = "tierReady"): StepRecord => ({
    runId: "r1",
    step:
      kind === "awaitDecision"
        ? { kind, id, dependsOn, target: id.replace("await-", ""), decision: id.replace("await-", "") as "approve" }
        : { kind, id, dependsOn, target: id },
    status,
    successors: [],
    satisfied: [],
    seq: 2,
    retries: 3,
    journal: { resumeToken: "old" },
    error: "boom",
  });

  it("approval needs a running run with a gate, once, by someone other than the requester", () => {
    const gate = [step("await-approve", "waiting", [], "awaitDecision")];
    expect(decideApproval(run({ status: "failed" }), gate, bob, true)).toMatchObject({ ok: false, status: 409 });
    expect(decideApproval(run(), [], bob, true)).toMatchObject({ ok: false, status: 409 });
    expect(decideApproval(run({ requestedBy: bob.id }), gate, bob, true)).toMatchObject({ ok: false, status: 403 });
    expect(decideApproval(run({ requestedBy: bob.id }), gate, bob, false)).toEqual({ ok: true });
    expect(decideApproval(run({ decisions: { approve: { by: "x", byName: "x", at: "t" } } }), gate, bob, true)).toMatchObject({
      ok: true,
      already: { by: "x" },
    });
  });

  it("commit only for an unplanned run whose gate is reached; cleanup only for a test run", () => {
    expect(decideConfirm(run(), [step("await-commit", "pending", [], "awaitDecision")], "commit")).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/not yet/),
    });
    expect(decideConfirm(run(), [step("await-commit", "waiting", [], "awaitDecision")], "commit")).toEqual({ ok: true });
    expect(decideConfirm(run(), [], "commit")).toMatchObject({ ok: false, detail: expect.stringMatching(/on its own/) });
    expect(decideConfirm(run(), [step("await-cleanup", "waiting", [], "awaitDecision")], "cleanup")).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/only a test failover/),
    });
    expect(decideConfirm(run({ mode: "test" }), [step("await-cleanup", "pending", [], "awaitDecision")], "cleanup")).toEqual({ ok: true });
  });

  it("cancel names steps in flight and cancels those not started, gates included", () => {
    const decided = decideCancel(run(), [
      step("a", "succeeded"),
      step("b", "running"),
      step("c", "waiting"),
      step("d", "pending"),
      step("e", "queued"),
      step("await-commit", "waiting", [], "awaitDecision"),
    ]);
    expect(decided.ok && decided.inFlight.map((s) => s.step.id)).toEqual(["b", "c"]);
    expect(decided.ok && decided.toCancel.map((s) => s.step.id)).toEqual(["d", "e", "await-commit"]);
    expect(decideCancel(run({ status: "succeeded" }), [])).toMatchObject({ ok: false, status: 409 });
  });

  it("resume retries failed steps with a fresh wake-up and hands over what finished after the failure", () => {
    expect(decideResume(run({ status: "cancelled" }), [])).toMatchObject({ ok: false, detail: expect.stringMatching(/cancelled/) });
    expect(decideResume(run({ status: "failed" }), [step("a", "succeeded")])).toMatchObject({ ok: false, detail: expect.stringMatching(/no failed step/) });
    expect(decideResume(run({ status: "failed" }), [step("a", "failed")])).toEqual({ ok: true, failed: ["a"] });
    const succeeded = new Set(["a"]);
    const resumed = resumedStep(step("b", "failed", ["a"]), succeeded);
    expect(resumed).toMatchObject({ wake: true, record: { status: "queued", seq: 3, retries: 0, satisfied: ["a"] } });
    // The failure and the parked resume token are gone from the record, not kept as undefined.
    expect(resumed?.record).not.toHaveProperty("error");
    expect(resumed?.record.journal).not.toHaveProperty("resumeToken");
    expect(resumedStep(step("c", "cancelled", ["a", "b"]), succeeded)).toMatchObject({ wake: false, record: { status: "pending", seq: 3, satisfied: ["a"] } });
    expect(resumedStep(step("d", "pending", ["a"]), succeeded)).toMatchObject({ wake: true, record: { status: "queued", seq: 2 } });
    expect(resumedStep(step("e", "running", ["a"]), succeeded)).toBeUndefined();
  });

  it("resume keeps a dependency handed over after the steps were listed (a step it woke finished meanwhile)", () => {
    // Listed: a succeeded, b failed. b, woken by this resume, succeeded and handed over to m before m is resumed.
    const m = { ...step("m", "pending", ["a", "b", "c"]), satisfied: ["b"] };
    expect(resumedStep(m, new Set(["a"]))).toMatchObject({ wake: false, record: { status: "pending", satisfied: ["a", "b"] } });
    expect(resumedStep({ ...m, step: { ...m.step, dependsOn: ["a", "b"] } }, new Set(["a"]))).toMatchObject({ wake: true, record: { status: "queued" } });
  });
});
