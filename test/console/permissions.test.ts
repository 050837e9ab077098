import { describe, expect, it } from "vitest";
import { roleAllows, runAction, type RunFacts } from "../../console/src/permissions.js";

const waitingForApproval: RunFacts = {
  mode: "unplanned",
  outcome: "running",
  requestedBy: "0aa1.tenant",
  awaiting: [{ decision: "approve" }],
  steps: [{ kind: "awaitDecision", target: "approve", status: "waiting" }],
};
const reader = { id: "r.tenant", roles: ["reader"] };
const approver = { id: "a.tenant", roles: ["approver"] };
const requester = { id: "0AA1.TENANT", roles: ["operator", "approver"] };
const admin = { id: "x.tenant", roles: ["admin"] };

describe("what the console offers each person (the API's own rules)", () => {
  it("offers a reader nothing, and says which role each action needs", () => {
    for (const action of ["approve", "commit", "cleanup", "cancel", "resume", "extend-cleanup"] as const) {
      const allowed = runAction(action, waitingForApproval, reader, true);
      expect(allowed.enabled).toBe(false);
      expect(allowed.enabled ? "" : allowed.reason).toMatch(/^needs the (approver|operator) role \(you have reader\)$/);
    }
    expect(roleAllows(reader, "killSwitch")).toEqual({ enabled: false, reason: "needs the admin role (you have reader)" });
  });

  it("lets another approver approve, never the requester while approvers must be separate", () => {
    expect(runAction("approve", waitingForApproval, approver, true)).toEqual({ enabled: true });
    expect(runAction("approve", waitingForApproval, requester, true)).toEqual({
      enabled: false,
      reason: "you requested this run: another approver must approve it",
    });
    expect(runAction("approve", waitingForApproval, requester, false)).toEqual({ enabled: true });
    expect(runAction("approve", { ...waitingForApproval, awaiting: [] }, approver, true)).toEqual({
      enabled: false,
      reason: "the run does not wait for approval",
    });
  });

  it("offers commit, cleanup and resume only where the run can take them", () => {
    expect(runAction("commit", { ...waitingForApproval, awaiting: [{ decision: "commit" }] }, admin, true)).toEqual({ enabled: true });
    expect(runAction("commit", { ...waitingForApproval, mode: "test" }, admin, true)).toMatchObject({
      enabled: false,
      reason: "only an unplanned failover is committed",
    });
    const drill: RunFacts = { ...waitingForApproval, mode: "test", awaiting: [], steps: [{ kind: "awaitDecision", target: "cleanup", status: "pending" }] };
    expect(runAction("cleanup", drill, requester, true)).toEqual({ enabled: true });
    expect(runAction("cleanup", { ...drill, steps: [] }, requester, true)).toMatchObject({ enabled: false, reason: "this drill cleans up on its own" });
    const failed: RunFacts = { ...drill, outcome: "failed", steps: [{ kind: "failover", target: "WEB01", status: "failed" }] };
    expect(runAction("resume", failed, requester, true)).toEqual({ enabled: true });
    expect(runAction("resume", { ...failed, outcome: "cancelled" }, requester, true)).toMatchObject({
      enabled: false,
      reason: "a cancelled run is not resumed: start a new one",
    });
    expect(runAction("cancel", failed, requester, true)).toMatchObject({ enabled: false, reason: "the run has failed" });
  });

  it("offers to clean up a failed drill now or to put its automatic cleanup off, until that cleanup has run", () => {
    const failed: RunFacts = {
      ...waitingForApproval,
      mode: "test",
      outcome: "failed",
      awaiting: [],
      steps: [{ kind: "failover", target: "WEB01", status: "failed" }],
      automaticCleanup: { dueAt: "2026-03-07T05:00:00.000Z", done: null },
    };
    const operator = { id: "o.tenant", roles: ["operator"] };
    expect(runAction("extend-cleanup", failed, operator, true)).toEqual({ enabled: true });
    expect(runAction("cleanup", failed, operator, true)).toEqual({ enabled: true });
    expect(runAction("extend-cleanup", failed, reader, true)).toEqual({ enabled: false, reason: "needs the operator role (you have reader)" });
    const ran = { ...failed, automaticCleanup: { dueAt: "2026-03-07T05:00:00.000Z", done: { outcome: "started", at: "2026-03-07T05:00:01.000Z" } } };
    for (const action of ["extend-cleanup", "cleanup"] as const)
      expect(runAction(action, ran, operator, true)).toEqual({
        enabled: false,
        reason: "the automatic cleanup already ran (started at 2026-03-07T05:00:01.000Z)",
      });
    expect(runAction("extend-cleanup", { ...failed, outcome: "running", automaticCleanup: null }, operator, true)).toEqual({
      enabled: false,
      reason: "the drill is running: its cleanup follows its plan",
    });
    expect(runAction("extend-cleanup", { ...failed, outcome: "succeeded", automaticCleanup: null }, operator, true)).toEqual({
      enabled: false,
      reason: "the drill cleaned up after itself",
    });
    expect(runAction("extend-cleanup", { ...failed, mode: "unplanned", automaticCleanup: null }, operator, true)).toEqual({
      enabled: false,
      reason: "only a drill's automatic cleanup is put off",
    });
  });
});
