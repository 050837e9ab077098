import { describe, expect, it } from "vitest";
import { adviceForHealthError, adviceForSymptom, ASR_ERROR_REFERENCE, CATALOGUE_IDS } from "../../shared/domain/health/remediation.js";

describe("remediation catalogue", () => {
  it("tells how to exclude the Mobility agent from antivirus scans, per OS (the Symantec problem)", () => {
    const windows = adviceForHealthError({ code: "78174", message: "No heartbeat from the Mobility agent" }, "windows");
    expect(windows.id).toBe("mobility-agent-blocked");
    expect(windows.errorCode).toBe("78174");
    expect(windows.steps.join("\n")).toContain("C:\\Program Files (x86)\\Microsoft Azure Site Recovery\\");
    expect(windows.steps.join("\n")).not.toContain("/usr/local/ASR");
    const linux = adviceForSymptom("agent-silent", "linux");
    expect(linux.steps.join("\n")).toContain("/usr/local/ASR");
    expect(linux.steps.join("\n")).toContain("/var/log/svagents");
    expect(linux.reference).toMatch(/^https:\/\/learn\.microsoft\.com\/azure\/site-recovery\//);
  });

  it("explains VSS failures (78144) with the log to read and the provider to repair, and Linux app-consistency scripts", () => {
    const windows = adviceForHealthError(
      { code: "78144", message: "No app-consistent recovery point available for the VM in the last 300 minutes" },
      "windows",
    );
    expect(windows.id).toBe("asr-78144-app-consistency");
    const text = windows.steps.join("\n");
    expect(text).toContain("vacp.log");
    expect(text).toContain("vssadmin list writers");
    expect(text).toContain("InMageVSSProvider_Install.cmd");
    expect(adviceForHealthError({ code: "78144", message: "x" }, "linux").steps.join("\n")).toMatch(/custom pre\/post scripts/);
  });

  it("lists the vCenter privileges when ASR reports a permission problem (no documented code: matched on the message)", () => {
    const advice = adviceForHealthError({
      message: "The vCenter Server account used by the replication appliance doesn't have the permissions required for replication.",
    });
    expect(advice.id).toBe("vcenter-permissions");
    const text = advice.steps.join("\n");
    expect(text).toContain("Propagate to child objects");
    expect(text).toMatch(/Datastore: allocate space/);
    expect(text).toMatch(/power on/);
  });

  it("covers replication network trouble, high churn, the process server and the policy association by their documented codes", () => {
    expect(adviceForHealthError({ code: "78169", message: "No crash-consistent recovery point" }).steps.join("\n")).toContain("9443");
    expect(adviceForHealthError({ code: "78188", message: "churn" }).id).toBe("asr-78188-high-churn");
    expect(adviceForHealthError({ code: "806", message: "Process server with no heartbeat" }).id).toBe("asr-806-process-server");
    expect(adviceForHealthError({ code: "78253", message: "Protection couldn't be enabled" }).id).toBe("asr-78253-policy");
  });

  it("covers domain trust lost after failover", () => {
    const advice = adviceForSymptom("domain-trust-risk");
    expect(advice.id).toBe("domain-trust-after-failover");
    expect(advice.steps.join("\n")).toContain("Test-ComputerSecureChannel -Repair");
    expect(adviceForHealthError({ message: "The trust relationship between this workstation and the primary domain failed." }).id).toBe(
      "domain-trust-after-failover",
    );
  });

  it("shows an unknown error verbatim, with ASR's causes and action, and links the error reference", () => {
    const advice = adviceForHealthError({ code: "SIM-0001", message: "Something <odd> happened", possibleCauses: "cause A", recommendedAction: "do B" });
    expect(advice.id).toBe("unknown-asr-error");
    expect(advice.verbatim).toBe("Error SIM-0001: Something <odd> happened\nPossible causes: cause A\nRecommended action: do B");
    expect(advice.reference).toBe(ASR_ERROR_REFERENCE);
    expect(advice.reference).toMatch(/^https:\/\/learn\.microsoft\.com\/azure\/site-recovery\//);
    expect(advice.steps[0]).toContain("SIM-0001");
  });

  it("has an entry for each problem this customer met", () => {
    expect(CATALOGUE_IDS).toEqual(
      expect.arrayContaining([
        "mobility-agent-blocked",
        "asr-78144-app-consistency",
        "vcenter-permissions",
        "asr-78169-replication-network",
        "domain-trust-after-failover",
      ]),
    );
  });
});
