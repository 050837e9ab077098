import { describe, expect, it } from "vitest";
import { classifyAlert } from "../../../shared/domain/incidents/classifyAlert.js";
import type { ParsedAlert } from "../../../shared/domain/incidents/commonAlert.js";
import {
  decideOnAlert,
  decideOnApproval,
  decideOnCheck,
  recordRunStarted,
  recordStartBlockedByKillSwitch,
  recordStartRefused,
  setKillSwitch,
  type PolicyContext,
  type PolicyResult,
} from "../../../shared/domain/incidents/incidentPolicy.js";
import { NO_INCIDENT, type IncidentState } from "../../../shared/domain/incidents/incidentState.js";
import type { Alerting } from "../../../shared/domain/estate.js";
import { fixtureAlert, sampleEstate } from "../../helpers.js";

const estate = sampleEstate();
const t0 = Date.parse("2026-11-25T02:00:00Z");
const at = (seconds: number) => new Date(t0 + seconds * 1000);

function ctx(seconds: number, alerting: Partial<Alerting> = {}, extra: Partial<PolicyContext> = {}): PolicyContext {
  return { alerting: { ...estate.alerting, ...alerting }, rpoMinutes: 30, now: at(seconds), newIncidentId: "inc-1", ...extra };
}

function feed(state: IncidentState, alert: ParsedAlert, seconds: number, alerting: Partial<Alerting> = {}, extra: Partial<PolicyContext> = {}): PolicyResult {
  return decideOnAlert(state, alert, classifyAlert(alert, estate.alerting), ctx(seconds, alerting, extra));
}

const primaryDown = fixtureAlert("expressroute-primary-down.json");
const secondaryDown = fixtureAlert("expressroute-secondary-down.json");

/** Both circuits down, ending with the site failover pending its debounce check. */
function siteDown(alerting: Partial<Alerting> = {}): PolicyResult {
  const first = feed(NO_INCIDENT, primaryDown, 0, alerting);
  return feed(first.state, secondaryDown, 10, alerting);
}

describe("incident policy", () => {
  it("treats one circuit down as lost redundancy, not an outage", () => {
    const { decision, state } = feed(NO_INCIDENT, primaryDown, 0);
    expect(decision).toMatchObject({ outcome: "warning", incidentId: "inc-1" });
    expect(decision.reason).toMatch(/lost its redundancy/);
    expect(state.pending).toBeNull();
  });

  it("debounces the site signal, then starts one site failover when it held", () => {
    const down = siteDown();
    expect(down.decision).toMatchObject({ outcome: "debouncing", playbook: "siteFailover", check: { at: at(130).toISOString() } });
    const checkId = down.decision.check?.id ?? "";
    const started = decideOnCheck(down.state, checkId, { ...ctx(130), recoveryPointAgeSeconds: 180 });
    expect(started.decision).toMatchObject({ outcome: "startRun", playbook: "siteFailover", runId: "inc-1-site" });
    // The start is owed to this check only; the incident owns the run once the engine accepted it.
    expect(started.state).toMatchObject({ runId: null, pending: null, startOwed: { runId: "inc-1-site", decidedBy: checkId } });
    expect(decideOnCheck(started.state, checkId, { ...ctx(131), recoveryPointAgeSeconds: 180 }).decision).toMatchObject({
      outcome: "startRun",
      runId: "inc-1-site",
    });
    const recorded = recordRunStarted(started.state, "inc-1-site");
    expect(recorded.state).toMatchObject({ runId: "inc-1-site", failedOver: true, startOwed: null });
    // A repeated check after the start changes nothing.
    expect(decideOnCheck(recorded.state, checkId, { ...ctx(131), recoveryPointAgeSeconds: 180 }).decision.outcome).toBe("ignored");
  });

  it("drops a duplicate delivery of the same alert", () => {
    const first = feed(NO_INCIDENT, primaryDown, 0);
    expect(feed(first.state, primaryDown, 5).decision.outcome).toBe("duplicate");
  });

  it("cancels the pending failover when the signal clears before the debounce ends", () => {
    const down = siteDown();
    const cleared = feed(down.state, fixtureAlert("expressroute-primary-resolved.json"), 60);
    expect(cleared.decision.outcome).toBe("cancelled");
    expect(decideOnCheck(cleared.state, down.decision.check?.id ?? "", { ...ctx(130), recoveryPointAgeSeconds: 60 }).decision.outcome).toBe("ignored");
  });

  it("ignores a resolved notification that belongs to an earlier firing", () => {
    const down = siteDown();
    const late = { ...fixtureAlert("expressroute-primary-resolved.json"), alertId: "older-alert", firedAt: "2026-11-25T01:00:00Z" };
    const result = feed(down.state, late, 30);
    expect(result.decision.outcome).toBe("late");
    expect(result.decision.reason).toMatch(/late resolved/);
    expect(result.state.pending).not.toBeNull();
  });

  it("does nothing automatic while the kill switch is on, and says who set it", () => {
    const killed = setKillSwitch(NO_INCIDENT, true, "ops-lead@contoso.com", "planned maintenance", at(-60));
    const first = feed(killed, primaryDown, 0);
    const second = feed(first.state, secondaryDown, 10);
    expect(second.decision.outcome).toBe("blockedByKillSwitch");
    expect(second.decision.reason).toMatch(/ops-lead@contoso.com/);
    expect(second.state.pending).toBeNull();
  });

  it("counts both circuits, and BGP and ARP of one circuit, as one witness; a Heartbeat alert or a human is the second", () => {
    const alerting = { requireSecondSignal: true, siteHeartbeatAlertRules: ["onprem-site-heartbeat-lost"] };
    const merged = { ...estate.alerting, ...alerting };
    const feedWith = (state: IncidentState, alert: ParsedAlert, seconds: number): PolicyResult =>
      decideOnAlert(state, alert, classifyAlert(alert, merged), ctx(seconds, alerting));
    const primaryOnly = feedWith(NO_INCIDENT, primaryDown, 0);
    const arp = feedWith(primaryOnly.state, fixtureAlert("expressroute-primary-arp-down.json"), 5);
    const both = feedWith(arp.state, secondaryDown, 10);
    const waited = decideOnCheck(both.state, both.decision.check?.id ?? "", { ...ctx(130, alerting), recoveryPointAgeSeconds: 60 });
    expect(waited.decision.outcome).toBe("waitingForSecondSignal");
    expect(waited.decision.reason).toMatch(/so far only expressRoute$/);

    // The on-premises agents' Heartbeat alert is an independent source: the pending check runs again now.
    const heartbeat = feedWith(waited.state, fixtureAlert("site-heartbeat-lost.json"), 200);
    expect(heartbeat.decision).toMatchObject({ outcome: "debouncing", check: { at: at(200).toISOString() } });
    expect(decideOnCheck(heartbeat.state, heartbeat.decision.check?.id ?? "", { ...ctx(200, alerting), recoveryPointAgeSeconds: 60 }).decision.outcome).toBe(
      "startRun",
    );

    // Or a human confirms the outage.
    const confirmed = decideOnApproval(waited.state, "anna.approver@contoso.com", ctx(300, alerting));
    expect(confirmed.decision).toMatchObject({ outcome: "debouncing", check: { at: at(300).toISOString() } });
    expect(decideOnCheck(confirmed.state, confirmed.decision.check?.id ?? "", { ...ctx(300, alerting), recoveryPointAgeSeconds: 60 }).decision.outcome).toBe(
      "startRun",
    );
  });

  it("applies quorum and approval per playbook", () => {
    const playbooks = { site: { approvalRequired: true }, edge: { requireSecondSignal: true } };
    const site = siteDown({ playbooks });
    expect(decideOnCheck(site.state, site.decision.check?.id ?? "", { ...ctx(130, { playbooks }), recoveryPointAgeSeconds: 60 }).decision.outcome).toBe(
      "awaitingApproval",
    );
    const nat = feed(NO_INCIDENT, fixtureAlert("nat-unavailable-resourcehealth.json"), 0, { playbooks });
    const edge = decideOnCheck(nat.state, nat.decision.check?.id ?? "", { ...ctx(130, { playbooks }), recoveryPointAgeSeconds: 60 });
    expect(edge.decision).toMatchObject({ outcome: "waitingForSecondSignal", playbook: "edgeFailover" });
    expect(edge.decision.reason).toMatch(/so far only natPlatform/);
  });

  it("orders an alert's states by their own times: a Fired after its own Resolved changes nothing", () => {
    const resolved = {
      ...fixtureAlert("expressroute-primary-resolved.json"),
      alertId: primaryDown.alertId,
      firedAt: primaryDown.firedAt,
      resolvedAt: "2026-11-25T02:05:00Z",
    };
    const first = feed(NO_INCIDENT, resolved, 400);
    const fired = feed(first.state, primaryDown, 410);
    expect(fired.decision.outcome).toBe("late");
    expect(fired.state.circuitsDown).toEqual([]);
    // A firing after the resolution (the same id firing again) counts.
    const again = feed(fired.state, { ...primaryDown, firedAt: "2026-11-25T02:10:00Z" }, 620);
    expect(again.decision.outcome).toBe("warning");
  });

  it("refuses a Fired alert older than alerting.maxAlertAgeMinutes, with the reason", () => {
    const stale = feed(NO_INCIDENT, primaryDown, 31 * 60);
    expect(stale.decision.outcome).toBe("stale");
    expect(stale.decision.reason).toMatch(/31 min ago, beyond the 30 min limit/);
    expect(stale.state.circuitsDown).toEqual([]);
    expect(feed(NO_INCIDENT, primaryDown, 31 * 60, { maxAlertAgeMinutes: 60 }).decision.outcome).toBe("warning");
  });

  it("does not fail over when the source says the circuits are up, and leaves the decision to an approver", () => {
    const down = siteDown();
    const checked = decideOnCheck(down.state, down.decision.check?.id ?? "", {
      ...ctx(130),
      recoveryPointAgeSeconds: 60,
      source: { says: "up", detail: "er-contoso-primary: BGP 100%" },
    });
    expect(checked.decision.outcome).toBe("notCorroborated");
    expect(checked.state).toMatchObject({ pending: null, startOwed: null, awaitingApproval: { playbook: "siteFailover" } });
    expect(
      decideOnCheck(down.state, down.decision.check?.id ?? "", { ...ctx(130), recoveryPointAgeSeconds: 60, source: { says: "unknown", detail: "no data" } })
        .decision.outcome,
    ).toBe("startRun");
  });

  it("turns a start refused by the run lock into a decision for people, and a kill switch right before the start into a block", () => {
    const down = siteDown();
    const decided = decideOnCheck(down.state, down.decision.check?.id ?? "", { ...ctx(130), recoveryPointAgeSeconds: 60 });
    const refused = recordStartRefused(decided.state, "inc-1-site", "drill-1");
    expect(refused.decision).toMatchObject({ outcome: "blockedByRunLock", activeRunId: "drill-1" });
    expect(refused.state).toMatchObject({ startOwed: null, runId: null, failedOver: false, awaitingApproval: { playbook: "siteFailover" } });
    expect(refused.decision.reason).toMatch(/POST \/api\/runs\/drill-1\/cancel/);
    // Nothing else carries the start: only an approval starts it again.
    expect(decideOnApproval(refused.state, "anna", ctx(200)).decision).toMatchObject({ outcome: "startRun", runId: "inc-1-site" });

    const killed = setKillSwitch(decided.state, true, "ada", "freeze", at(131));
    expect(recordStartBlockedByKillSwitch(killed, "inc-1-site")).toMatchObject({
      decision: { outcome: "blockedByKillSwitch" },
      state: { startOwed: null, runId: null },
    });
  });

  it("asks a human when recovery points are older than the RPO, stating the data-loss window, then starts on approval", () => {
    const down = siteDown();
    const stale = decideOnCheck(down.state, down.decision.check?.id ?? "", { ...ctx(130), recoveryPointAgeSeconds: 45 * 60 });
    expect(stale.decision.outcome).toBe("awaitingApproval");
    expect(stale.decision.reason).toMatch(/45 min old, beyond the 30 min RPO/);
    const approved = decideOnApproval(stale.state, "approver@contoso.com", ctx(400));
    expect(approved.decision).toMatchObject({ outcome: "startRun", runId: "inc-1-site" });
    expect(approved.decision.reason).toMatch(/approved by approver@contoso.com/);
  });

  it("needs approval for every automatic failover in approval-required mode", () => {
    const down = siteDown({ approvalRequired: true });
    expect(
      decideOnCheck(down.state, down.decision.check?.id ?? "", { ...ctx(130, { approvalRequired: true }), recoveryPointAgeSeconds: 60 }).decision.outcome,
    ).toBe("awaitingApproval");
  });

  it("joins the running run instead of starting another, and cools down after one", () => {
    const down = siteDown();
    const running = decideOnCheck(down.state, down.decision.check?.id ?? "", {
      ...ctx(130),
      recoveryPointAgeSeconds: 60,
      run: { runId: "run-manual", status: "running" },
    });
    expect(running.decision).toMatchObject({ outcome: "joinedRun", runId: "run-manual" });
    const cooling = decideOnCheck(down.state, down.decision.check?.id ?? "", {
      ...ctx(130),
      recoveryPointAgeSeconds: 60,
      run: { runId: "run-before", status: "succeeded", finishedAt: at(-600).toISOString() },
    });
    expect(cooling.decision.outcome).toBe("coolingDown");
  });

  it("routes the NAT VM's loss to the edge playbook and an RPO breach to diagnosis only", () => {
    const nat = feed(NO_INCIDENT, fixtureAlert("nat-unavailable-resourcehealth.json"), 0);
    expect(nat.decision).toMatchObject({ outcome: "debouncing", playbook: "edgeFailover" });
    const rpo = feed(NO_INCIDENT, fixtureAlert("rpo-breach-log.json"), 0);
    expect(rpo.decision.outcome).toBe("diagnose");
    expect(rpo.state.pending).toBeNull();
  });

  it("never fails back automatically when the link returns after a site failover", () => {
    const down = siteDown();
    const decided = decideOnCheck(down.state, down.decision.check?.id ?? "", { ...ctx(130), recoveryPointAgeSeconds: 60 });
    const started = recordRunStarted(decided.state, "inc-1-site");
    const back = feed(
      started.state,
      fixtureAlert("expressroute-primary-resolved.json"),
      3600,
      {},
      { run: { runId: "inc-1-site", status: "succeeded", finishedAt: at(3000).toISOString() } },
    );
    expect(back.decision.outcome).toBe("noFailback");
    expect(back.decision.reason).toMatch(/stay out of service until someone decides/);
  });
});
