import { describe, expect, it } from "vitest";
import { classifyAlert } from "../../../shared/domain/alerts/classifyAlert.js";
import { parseCommonAlert } from "../../../shared/domain/alerts/commonAlert.js";
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
    const heartbeat = { ...fixtureAlert("rpo-breach-log.json"), rule: "nat-heartbeat-missing", criteria: [{ searchQuery: "Heartbeat | where TimeGenerated > ago(5m)", dimensions: { Computer: "nat01" } }] };
    expect(classifyAlert(heartbeat, estate.alerting)).toEqual({ kind: "natLost", vm: "NAT01" });
  });
});
