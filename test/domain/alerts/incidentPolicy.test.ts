import { describe, expect, it } from "vitest";
import { classifyAlert } from "../../../shared/domain/alerts/classifyAlert.js";
import type { ParsedAlert } from "../../../shared/domain/alerts/commonAlert.js";
import { decideOnAlert, decideOnApproval, decideOnCheck, setKillSwitch, type PolicyContext, type PolicyResult } from "../../../shared/domain/alerts/incidentPolicy.js";
import { NO_INCIDENT, type IncidentState } from "../../../shared/domain/alerts/incidentState.js";
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
    expect(started.state).toMatchObject({ runId: "inc-1-site", failedOver: true, pending: null });
    // A stale or repeated check changes nothing.
    expect(decideOnCheck(started.state, checkId, { ...ctx(131), recoveryPointAgeSeconds: 180 }).decision.outcome).toBe("ignored");
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
    expect(result.decision.outcome).toBe("ignored");
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

  it("waits for a second, independent rule when configured, and goes once it arrives", () => {
    const alerting = { requireSecondSignal: true };
    const primaryOnly = feed(NO_INCIDENT, primaryDown, 0, alerting);
    const both = feed(primaryOnly.state, secondaryDown, 10, alerting);
    // Two rules already agree here (primary BGP and secondary BGP), so the check may start the run.
    expect(decideOnCheck(both.state, both.decision.check?.id ?? "", { ...ctx(130, alerting), recoveryPointAgeSeconds: 60 }).decision.outcome).toBe("startRun");

    // With one rule only, the check waits; a second rule then triggers a new check.
    const single = { ...estate.alerting, expressRouteCircuits: estate.alerting.expressRouteCircuits.slice(0, 1), requireSecondSignal: true };
    const lone = decideOnAlert(NO_INCIDENT, primaryDown, classifyAlert(primaryDown, single), ctx(0, single));
    const waited = decideOnCheck(lone.state, lone.decision.check?.id ?? "", { ...ctx(130, single), recoveryPointAgeSeconds: 60 });
    expect(waited.decision.outcome).toBe("waitingForSecondSignal");
    const arp = fixtureAlert("expressroute-primary-arp-down.json");
    const again = decideOnAlert(waited.state, arp, classifyAlert(arp, single), ctx(200, single));
    expect(again.decision).toMatchObject({ outcome: "debouncing", check: { at: at(200).toISOString() } });
    expect(decideOnCheck(again.state, again.decision.check?.id ?? "", { ...ctx(200, single), recoveryPointAgeSeconds: 60 }).decision.outcome).toBe("startRun");
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
    expect(decideOnCheck(down.state, down.decision.check?.id ?? "", { ...ctx(130, { approvalRequired: true }), recoveryPointAgeSeconds: 60 }).decision.outcome).toBe("awaitingApproval");
  });

  it("joins the running run instead of starting another, and cools down after one", () => {
    const down = siteDown();
    const running = decideOnCheck(down.state, down.decision.check?.id ?? "", { ...ctx(130), recoveryPointAgeSeconds: 60, run: { runId: "run-manual", status: "running" } });
    expect(running.decision).toMatchObject({ outcome: "joinedRun", runId: "run-manual" });
    const cooling = decideOnCheck(down.state, down.decision.check?.id ?? "", { ...ctx(130), recoveryPointAgeSeconds: 60, run: { runId: "run-before", status: "succeeded", finishedAt: at(-600).toISOString() } });
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
    const started = decideOnCheck(down.state, down.decision.check?.id ?? "", { ...ctx(130), recoveryPointAgeSeconds: 60 });
    const back = feed(started.state, fixtureAlert("expressroute-primary-resolved.json"), 3600, {}, { run: { runId: "inc-1-site", status: "succeeded", finishedAt: at(3000).toISOString() } });
    expect(back.decision.outcome).toBe("noFailback");
    expect(back.decision.reason).toMatch(/stay out of service until someone decides/);
  });
});
