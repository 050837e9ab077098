import { describe, expect, it } from "vitest";
import { classifyAlert, natSignalSource } from "../../../shared/domain/incidents/classifyAlert.js";
import { parseCommonAlert } from "../../../shared/domain/incidents/commonAlert.js";
import { fixtureAlert, readSample, sampleEstate } from "../../helpers.js";

const estate = sampleEstate();

describe("classifyAlert", () => {
  const primary = estate.alerting.expressRouteCircuits[0]?.id.toLowerCase();
  it.each([
    ["expressroute-primary-down.json", { kind: "circuitDown", circuitId: primary, role: "active" }],
    ["expressroute-primary-arp-down.json", { kind: "circuitDown", circuitId: primary, role: "active" }],
    ["expressroute-secondary-down.json", { kind: "circuitDown", role: "passive" }],
    ["expressroute-primary-resolved.json", { kind: "circuitUp", circuitId: primary }],
    ["nat-unavailable-resourcehealth.json", { kind: "natLost", vm: "NAT01" }],
    ["rpo-breach-log.json", { kind: "rpoBreach" }],
  ])("%s means %o", (file, expected) => {
    expect(classifyAlert(fixtureAlert(file), estate.alerting)).toMatchObject(expected);
  });

  it("acknowledges but ignores alerts about resources the estate does not watch", () => {
    for (const file of ["alert-metric-fired.json", "alert-activitylog.json", "alert-servicehealth.json", "alert-resourcehealth.json"]) {
      const parsed = parseCommonAlert(readSample(file));
      if (!parsed.ok) throw new Error(file);
      expect(classifyAlert(parsed.alert, estate.alerting).kind).toBe("unrelated");
    }
  });

  it("ignores a circuit alert that is not about availability", () => {
    const alert = fixtureAlert("expressroute-primary-down.json");
    const other = { ...alert, criteria: [{ metricName: "BitsInPerSecond", dimensions: {} }] };
    expect(classifyAlert(other, estate.alerting).kind).toBe("unrelated");
  });

  it("recognises the NAT VM by its heartbeat computer in a log alert", () => {
    const heartbeat = {
      ...fixtureAlert("rpo-breach-log.json"),
      rule: "nat-heartbeat-missing",
      criteria: [{ searchQuery: "Heartbeat | where TimeGenerated > ago(5m)", dimensions: { Computer: "nat01" } }],
    };
    expect(classifyAlert(heartbeat, estate.alerting)).toEqual({ kind: "natLost", vm: "NAT01" });
    // Two independent witnesses of the same loss.
    expect(natSignalSource(heartbeat, estate.alerting)).toBe("natHeartbeat");
    expect(natSignalSource(fixtureAlert("nat-unavailable-resourcehealth.json"), estate.alerting)).toBe("natPlatform");
  });

  it("counts only a platform-initiated Unavailable as down; Degraded, Unknown and user-initiated are news", () => {
    const nat = fixtureAlert("nat-unavailable-resourcehealth.json");
    const withHealth = (current: string, cause?: string) => ({ ...nat, health: { current, previous: "Available", ...(cause ? { cause } : {}) } });
    expect(classifyAlert(withHealth("Unavailable", "PlatformInitiated"), estate.alerting).kind).toBe("natLost");
    for (const news of [
      withHealth("Unavailable", "UserInitiated"),
      withHealth("Unavailable"),
      withHealth("Degraded", "PlatformInitiated"),
      withHealth("Unknown", "PlatformInitiated"),
    ]) {
      const signal = classifyAlert(news, estate.alerting);
      expect(signal.kind).toBe("news");
      expect(signal).toMatchObject({ reason: expect.stringMatching(/only .*platform/) });
    }
    // Microsoft's published Resource Health sample (cause UserInitiated), pointed at the NAT VM.
    const sample = parseCommonAlert(readSample("alert-resourcehealth.json"));
    if (!sample.ok) throw new Error("sample");
    expect(sample.alert.health).toMatchObject({ current: "Unavailable", cause: "UserInitiated" });
    expect(classifyAlert({ ...sample.alert, targets: [nat.targets[0] ?? ""] }, estate.alerting).kind).toBe("news");
  });

  it("recognises the on-premises site's Heartbeat alert rule named in the estate", () => {
    const alerting = { ...estate.alerting, siteHeartbeatAlertRules: ["onprem-site-heartbeat-lost"] };
    expect(classifyAlert(fixtureAlert("site-heartbeat-lost.json"), alerting).kind).toBe("siteHeartbeatLost");
    expect(classifyAlert(fixtureAlert("site-heartbeat-lost.json"), estate.alerting).kind).toBe("unrelated");
  });
});
