import { describe, expect, it } from "vitest";
import type { Vm } from "../../shared/domain/estate.js";
import { evaluateHealth } from "../../shared/domain/health/evaluateHealth.js";
import type { HealthCheck, HealthReport } from "../../shared/domain/health/healthReport.js";
import { dnsRecordKey, readFailed, readOk, type HealthSnapshot, type RecoveryPointSummary } from "../../shared/domain/health/healthSnapshot.js";
import { sampleEstate } from "../helpers.js";
import { buildSnapshot, healthyItem, itemId, minutesAgo, NOW, type SnapshotOverrides } from "./snapshotBuilder.js";

const estate = sampleEstate();
const RUN = { reportId: "health-test", trigger: "test", isPastDue: false, startedAt: NOW, finishedAt: NOW };

function evaluate(overrides: SnapshotOverrides = {}, snapshot?: HealthSnapshot): HealthReport {
  return evaluateHealth(estate, snapshot ?? buildSnapshot(estate, overrides), RUN);
}

function check(report: HealthReport, id: string): HealthCheck {
  const found = [...report.vms.flatMap((v) => v.checks), ...report.estateChecks].find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}; have ${[...report.vms.flatMap((v) => v.checks), ...report.estateChecks].map((c) => c.id).join(", ")}`);
  return found;
}

const vm = (name: string): Vm => {
  const found = estate.vms.find((v) => v.name === name);
  if (!found) throw new Error(name);
  return found;
};
/** The recovery points without an app-consistent one. */
const withoutAppConsistent = ({ newestAppConsistent: _, ...rest }: RecoveryPointSummary): RecoveryPointSummary => rest;
const onlyFor =
  (name: string, patch: (item: ReturnType<typeof healthyItem>) => ReturnType<typeof healthyItem> | undefined): NonNullable<SnapshotOverrides["item"]> =>
  (v, item) =>
    v.name === name ? patch(item) : item;
const circuitId = (name: string): string => {
  const c = estate.alerting.expressRouteCircuits.find((x) => x.id.endsWith(`/${name}`));
  if (!c) throw new Error(name);
  return c.id.toLowerCase();
};

describe("health rules", () => {
  it("a healthy estate is green everywhere, with the same rows every night", () => {
    const report = evaluate();
    expect(report.overall).toBe("green");
    expect(report.counts).toEqual({ green: 16 * 8 + report.estateChecks.length, amber: 0, red: 0, unknown: 0 });
    expect(report.vms.map((v) => v.checks.length)).toEqual(estate.vms.map(() => 8));
    expect(report.estateChecks.map((c) => c.kind)).toEqual([
      "expressRoute",
      "expressRoute",
      "targetDc",
      "runCommand",
      "dns",
      "dns",
      "dns",
      "dns",
      "dns",
      "inventoryDrift",
      "recoveryPlan",
      "recoveryPlan",
      "replicationPolicy",
      "replicationPolicy",
      "rpoAlert",
      "rpoAlert",
      "leftoverTestVms",
    ]);
    expect(report.summary).toMatch(/^GREEN: 145 green \(16 VMs, 17 estate checks\)\.$/);
  });

  describe("RPO against the 30 min objective", () => {
    const rpo = (minutes: number, heartbeatMinutes = 1) =>
      check(
        evaluate({
          item: onlyFor("API01", (i) => ({
            ...i,
            lastRecoveryPointReceived: minutesAgo(minutes),
            agent: { ...i.agent, lastHeartbeat: minutesAgo(heartbeatMinutes) },
          })),
        }),
        "vm/API01/rpo",
      );
    it("is green well inside it, amber from half of it (before the breach), red beyond it", () => {
      expect(rpo(10).status).toBe("green");
      expect(rpo(16)).toMatchObject({ status: "amber", reason: expect.stringContaining("not yet breached") });
      expect(rpo(31)).toMatchObject({ status: "red", reason: expect.stringContaining("breached") });
    });
    it("blames the agent when it is silent, the network when it still reports", () => {
      expect(rpo(45, 40).advice[0]?.id).toBe("mobility-agent-blocked");
      expect(rpo(45, 1).advice[0]?.id).toBe("asr-78169-replication-network");
    });
    it("falls back to ASR's calculated RPO, and is unknown when ASR reports neither", () => {
      const calculated = check(
        evaluate({ item: onlyFor("API01", ({ lastRecoveryPointReceived: _, ...i }) => ({ ...i, lastRpoInSeconds: 2000 })) }),
        "vm/API01/rpo",
      );
      expect(calculated.status).toBe("red");
      const none = check(evaluate({ item: onlyFor("API01", ({ lastRecoveryPointReceived: _a, lastRpoInSeconds: _b, ...i }) => i) }), "vm/API01/rpo");
      expect(none.status).toBe("unknown");
    });
  });

  describe("app-consistent points against the 1 h frequency", () => {
    it("stale app-consistent points with fresh crash-consistent ones mean VSS on Windows", () => {
      const c = check(evaluate({ points: (v, p) => readOk(v.name === "DC02" ? { ...p, newestAppConsistent: minutesAgo(300) } : p) }), "vm/DC02/appConsistency");
      expect(c.status).toBe("red");
      expect(c.reason).toMatch(/VSS/);
      expect(c.advice[0]?.id).toBe("asr-78144-app-consistency");
      expect(c.advice[0]?.steps.join(" ")).toContain("vacp.log");
    });
    it("on Linux they mean app-consistency scripts", () => {
      const c = check(evaluate({ points: (v, p) => readOk(v.name === "WEB01" ? withoutAppConsistent(p) : p) }), "vm/WEB01/appConsistency");
      expect(c.status).toBe("red");
      expect(c.reason).toMatch(/scripts/);
      expect(c.advice[0]?.steps.join(" ")).toMatch(/custom pre\/post scripts/);
    });
    it("late (amber) between 1.5 and 3 intervals; not VSS when crash-consistent points are stale too", () => {
      expect(
        check(evaluate({ points: (v, p) => readOk(v.name === "API02" ? { ...p, newestAppConsistent: minutesAgo(120) } : p) }), "vm/API02/appConsistency")
          .status,
      ).toBe("amber");
      const behind = check(
        evaluate({ points: (v, p) => readOk(v.name === "API02" ? { ...p, newestAppConsistent: minutesAgo(300), newestCrashConsistent: minutesAgo(200) } : p) }),
        "vm/API02/appConsistency",
      );
      expect(behind.reason).toMatch(/replication itself is behind/);
      expect(behind.advice[0]?.id).toBe("asr-78169-replication-network");
    });
  });

  it("retention: points reaching back less than 90% of 5 days are amber; none at all is red", () => {
    expect(
      check(evaluate({ points: (v, p) => readOk(v.name === "API03" ? { ...p, oldest: minutesAgo(2 * 24 * 60) } : p) }), "vm/API03/retention"),
    ).toMatchObject({ status: "amber", reason: expect.stringContaining("40%") });
    expect(
      check(evaluate({ points: (v) => readOk(v.name === "API03" ? { count: 0 } : { count: 1, oldest: minutesAgo(7200) }) }), "vm/API03/retention").status,
    ).toBe("red");
  });

  it("Mobility agent: heartbeat age, version behind, support ending or ended", () => {
    const agent = (patch: Partial<ReturnType<typeof healthyItem>["agent"]>) =>
      check(evaluate({ item: onlyFor("NAT01", (i) => ({ ...i, agent: { ...i.agent, ...patch } })) }), "vm/NAT01/mobilityAgent");
    expect(agent({}).status).toBe("green");
    expect(agent({ lastHeartbeat: minutesAgo(20) }).status).toBe("amber");
    expect(agent({ lastHeartbeat: minutesAgo(120) })).toMatchObject({ status: "red", advice: [expect.objectContaining({ id: "mobility-agent-blocked" })] });
    expect(agent({ version: "9.60.6956.1" })).toMatchObject({ status: "amber", advice: [expect.objectContaining({ id: "mobility-agent-upgrade" })] });
    expect(agent({ expiresOn: new Date(NOW.getTime() + 10 * 86_400_000) }).status).toBe("amber");
    expect(agent({ expiresOn: minutesAgo(60) }).status).toBe("red");
  });

  it("last successful test failover: none or older than 90 days is amber", () => {
    const tfo = (date: Date | undefined) =>
      check(
        evaluate({ item: onlyFor("REC01", ({ lastSuccessfulTestFailoverTime: _, ...i }) => (date ? { ...i, lastSuccessfulTestFailoverTime: date } : i)) }),
        "vm/REC01/testFailover",
      );
    expect(tfo(minutesAgo(30 * 24 * 60)).status).toBe("green");
    expect(tfo(minutesAgo(120 * 24 * 60)).status).toBe("amber");
    expect(tfo(undefined)).toMatchObject({ status: "amber", advice: [expect.objectContaining({ id: "test-failover-overdue" })] });
  });

  it("target settings: network, subnet and size present, not the test network, the IP DNS will use", () => {
    type Target = ReturnType<typeof healthyItem>["target"];
    // A field set to undefined is taken out of the item's target settings.
    const patched = (base: Target, patch: { [K in keyof Target]?: Target[K] | undefined }): Target =>
      Object.fromEntries(Object.entries({ ...base, ...patch }).filter(([, value]) => value !== undefined));
    const target = (patch: { [K in keyof Target]?: Target[K] | undefined }) =>
      check(evaluate({ item: onlyFor("API04", (i) => ({ ...i, target: patched(i.target, patch) })) }), "vm/API04/targetSettings");
    expect(target({}).status).toBe("green");
    expect(target({ networkId: undefined })).toMatchObject({ status: "red", reason: expect.stringContaining("target network") });
    expect(target({ vmSize: undefined }).status).toBe("red");
    expect(target({ networkId: estate.vaults.eastus?.testNetworkId })).toMatchObject({
      status: "red",
      reason: expect.stringContaining("isolated test network"),
    });
    expect(target({ primaryNic: { targetSubnetName: "snet-api", targetIpAddress: "10.50.2.99" } })).toMatchObject({
      status: "red",
      reason: expect.stringContaining(vm("API04").recoveryIp),
    });
    expect(target({ primaryNic: { targetSubnetName: "snet-api" } }).status).toBe("amber");
    // The address the failback probes on vSphere is checked against the one ASR reports.
    const ip = vm("API04").recoveryIp;
    expect(target({ primaryNic: { targetSubnetName: "snet-api", targetIpAddress: ip, sourceIpAddress: vm("API04").onPremisesIp ?? "" } }).status).toBe("green");
    expect(target({ primaryNic: { targetSubnetName: "snet-api", targetIpAddress: ip, sourceIpAddress: "192.168.30.99" } })).toMatchObject({
      status: "amber",
      reason: expect.stringContaining(`ASR sees the VM at 192.168.30.99 on vSphere, but the failback will probe it at ${vm("API04").onPremisesIp ?? ""}`),
    });
  });

  it("replication: health errors map to advice (AV paths for the VM's OS), unknown ones verbatim; a failed-over item is amber", () => {
    const c = check(
      evaluate({
        item: onlyFor("API03", (i) => ({
          ...i,
          replicationHealth: "Critical",
          healthErrors: [
            { code: "78174", level: "Error", message: "No heartbeat from the Mobility agent" },
            { code: "SIM-0001", level: "Warning", message: "odd" },
          ],
        })),
      }),
      "vm/API03/replication",
    );
    expect(c.status).toBe("red");
    expect(c.advice.map((a) => a.id)).toEqual(["mobility-agent-blocked", "unknown-asr-error"]);
    expect(c.advice[0]?.steps.join(" ")).toContain("C:\\Program Files (x86)\\Microsoft Azure Site Recovery\\");
    expect(c.advice[1]?.verbatim).toBe("Error SIM-0001: odd");
    expect(
      check(
        evaluate({ item: onlyFor("API03", (i) => ({ ...i, activeLocation: "Recovery", protectionState: "UnplannedFailoverCommitted" })) }),
        "vm/API03/replication",
      ).status,
    ).toBe("amber");
  });

  describe("drift between the estate and ASR", () => {
    it("a VM reprotected towards vSphere (provider InMageRcmFailback) is not drift", () => {
      const report = evaluate({ item: onlyFor("API03", (i) => ({ ...i, provider: "InMageRcmFailback" })) });
      expect(check(report, "vm/API03/inventory")).toMatchObject({
        status: "green",
        reason: expect.stringContaining("replicates back to vSphere (InMageRcmFailback)"),
      });
      expect(check(evaluate({ item: onlyFor("API03", (i) => ({ ...i, provider: "A2A" })) }), "vm/API03/inventory").status).toBe("red");
    });

    it("a VM missing from every vault is red, with only its inventory check", () => {
      const report = evaluate({ item: onlyFor("WEB03", () => undefined) });
      const web03 = report.vms.find((v) => v.vm === "WEB03");
      expect(web03?.checks.map((c) => [c.kind, c.status])).toEqual([["inventory", "red"]]);
      expect(check(report, "estate/inventoryDrift")).toMatchObject({ status: "red", reason: expect.stringContaining("WEB03") });
    });

    it("a VM protected in another vault is red, and its other checks still run from where it is", () => {
      const base = buildSnapshot(estate);
      const rec03 = { ...healthyItem(estate, vm("REC03")), id: itemId(estate, vm("API01")).replace("api01-vsphere", "rec03-vsphere") };
      const eastus = base.vaults.eastus;
      const seasia = base.vaults.seasia;
      if (!eastus?.items.ok || !seasia?.items.ok) throw new Error("setup");
      const snapshot: HealthSnapshot = {
        ...base,
        vaults: {
          eastus: { ...eastus, items: readOk([...eastus.items.value, rec03]) },
          seasia: { ...seasia, items: readOk(seasia.items.value.filter((i) => i.friendlyName !== "REC03")) },
        },
      };
      const report = evaluate({}, snapshot);
      expect(check(report, "vm/REC03/inventory")).toMatchObject({ status: "red", reason: expect.stringContaining("'eastus'") });
      expect(check(report, "vm/REC03/rpo").status).toBe("green");
      expect(check(report, "estate/inventoryDrift").reason).toMatch(/REC03 \(in eastus, estate says seasia\)/);
    });

    it("an item no estate VM claims is amber; a vault that cannot be read makes its VMs unknown, never green", () => {
      const base = buildSnapshot(estate);
      const eastus = base.vaults.eastus;
      if (!eastus?.items.ok) throw new Error("setup");
      const extra = { ...healthyItem(estate, vm("API01")), name: "legacy-vsphere", id: `${itemId(estate, vm("API01"))}-legacy`, friendlyName: "LEGACY01" };
      const withExtra = evaluate({}, { ...base, vaults: { ...base.vaults, eastus: { ...eastus, items: readOk([...eastus.items.value, extra]) } } });
      expect(check(withExtra, "estate/inventoryDrift")).toMatchObject({ status: "amber", reason: expect.stringContaining("LEGACY01") });

      const unread = evaluate({ vault: (key, v) => (key === "seasia" ? { ...v, items: readFailed("throttled by Azure (HTTP 429)") } : v) });
      const rec01 = unread.vms.find((v) => v.vm === "REC01");
      expect(rec01?.checks.every((c) => c.status === "unknown" && c.reason.includes("429"))).toBe(true);
      expect(unread.vms.find((v) => v.vm === "API01")?.status).toBe("green");
      expect(check(unread, "estate/recoveryPlan/seasia").status).toBe("unknown");
      expect(check(unread, "estate/replicationPolicy/seasia").status).toBe("unknown");
    });

    it("a recovery plan that boots a tier before the one it depends on is red; a VM left out is amber", () => {
      const swapped = evaluate({
        vault: (key, v) => {
          if (key !== "eastus" || !v.recoveryPlans.ok) return v;
          const plan = v.recoveryPlans.value[0];
          if (!plan) return v;
          const [identity, edge, api, ...rest] = plan.bootGroups;
          return { ...v, recoveryPlans: readOk([{ ...plan, bootGroups: [identity ?? [], api ?? [], edge ?? [], ...rest] }]) };
        },
      });
      expect(check(swapped, "estate/recoveryPlan/eastus")).toMatchObject({
        status: "red",
        reason: expect.stringMatching(/boots API0\d \(api\) in group 2, not after NAT01 \(edge, group 3\)/),
      });
      const leftOut = evaluate({
        vault: (key, v) =>
          key === "seasia" && v.recoveryPlans.ok
            ? { ...v, recoveryPlans: readOk(v.recoveryPlans.value.map((p) => ({ ...p, bootGroups: p.bootGroups.map((g) => g.slice(1)) }))) }
            : v,
      });
      expect(check(leftOut, "estate/recoveryPlan/seasia")).toMatchObject({ status: "amber", reason: expect.stringContaining("REC01") });
      expect(check(evaluate({ vault: (key, v) => (key === "seasia" ? { ...v, recoveryPlans: readOk([]) } : v) }), "estate/recoveryPlan/seasia").status).toBe(
        "amber",
      );
    });

    it("a policy keeping fewer days than the retention objective is red; rarer app-consistent snapshots amber", () => {
      const policy = (patch: { retentionMinutes?: number; appConsistentFrequencyMinutes?: number }) =>
        check(
          evaluate({
            vault: (key, v) => (key === "eastus" && v.policies.ok ? { ...v, policies: readOk(v.policies.value.map((p) => ({ ...p, ...patch }))) } : v),
          }),
          "estate/replicationPolicy/eastus",
        );
      expect(policy({ retentionMinutes: 3 * 1440 })).toMatchObject({ status: "red", reason: expect.stringContaining("3 days") });
      expect(policy({ appConsistentFrequencyMinutes: 120 }).status).toBe("amber");
    });
  });

  it("ExpressRoute: the active circuit down is red, the passive one amber, partial availability amber, no data red", () => {
    const er = (name: string, bgp: number | null, arp: number | null) =>
      check(evaluate({ circuits: { [circuitId(name)]: readOk({ bgpPercent: bgp, arpPercent: arp, windowMinutes: 60 }) } }), `estate/expressRoute/${name}`);
    expect(er("er-contoso-primary", 0, 0)).toMatchObject({ status: "red", advice: [expect.objectContaining({ id: "expressroute-down" })] });
    expect(er("er-contoso-secondary", 0, 0).status).toBe("amber");
    expect(er("er-contoso-primary", 99.2, 100).status).toBe("amber");
    expect(er("er-contoso-primary", null, null)).toMatchObject({ status: "red", reason: expect.stringContaining("no data") });
  });

  it("target DC: heartbeat age decides; silence brings the domain-trust advice; no workspace is unknown", () => {
    expect(check(evaluate({ targetDcHeartbeat: readOk(minutesAgo(10)) }), "estate/targetDc").status).toBe("amber");
    const silent = check(evaluate({ targetDcHeartbeat: readOk(null) }), "estate/targetDc");
    expect(silent.status).toBe("red");
    expect(silent.advice.map((a) => a.id)).toContain("domain-trust-after-failover");
    expect(check(evaluate({ targetDcHeartbeat: undefined }), "estate/targetDc").status).toBe("unknown");
  });

  it("DNS: the expected site and a TTL low enough for a fast flip", () => {
    const www = dnsRecordKey({ zoneType: "public", zone: "contoso.com", name: "www" });
    const dns = (state: { addresses: string[]; ttl: number } | null) =>
      check(evaluate({ dns: (key, s) => (key === www ? readOk(state) : readOk(s)) }), `estate/dns/${www}`);
    expect(dns({ addresses: ["203.0.113.9"], ttl: 300 }).status).toBe("green");
    expect(dns({ addresses: ["20.62.10.10"], ttl: 300 })).toMatchObject({ status: "red", reason: expect.stringContaining("the recovery site") });
    expect(dns({ addresses: ["203.0.113.9"], ttl: 3600 })).toMatchObject({ status: "red", advice: [expect.objectContaining({ id: "dns-ttl" })] });
    expect(dns({ addresses: ["203.0.113.9"], ttl: 330 }).status).toBe("amber");
    expect(dns(null).status).toBe("red");
    // After a failover of the web tier, pointing at Azure is what is expected.
    const failedOver = evaluateHealth(
      estate,
      buildSnapshot(estate, {
        item: (v, i) => (v.tier === "web" ? { ...i, activeLocation: "Recovery" } : i),
        dns: (key, s) => (key === www ? readOk({ addresses: ["20.62.10.10"], ttl: 300 }) : readOk(s)),
      }),
      RUN,
    );
    expect(check(failedOver, `estate/dns/${www}`).status).toBe("green");
  });

  it("Run Command: the target DC's agent must be Ready; recovered VMs with in-guest checks are checked once they exist", () => {
    expect(check(evaluate({ dcAgent: readOk({ exists: true, powerState: "running", agentStatus: "Not Ready" }) }), "estate/runCommand")).toMatchObject({
      status: "red",
      advice: [expect.objectContaining({ id: "vm-agent" })],
    });
    expect(check(evaluate({ dcAgent: readOk({ exists: true, powerState: "deallocated", agentStatus: "Ready" }) }), "estate/runCommand").status).toBe("red");
    const api01 = vm("API01");
    const recovered = check(
      evaluate({
        item: onlyFor("API01", (i) => ({ ...i, activeLocation: "Recovery" })),
        vmAgents: { [api01.recoveryVmId.toLowerCase()]: readOk({ exists: true, powerState: "running", agentStatus: "Ready" }) },
      }),
      "estate/runCommand",
    );
    expect(recovered.status).toBe("green");
    expect(recovered.reason).toContain("API01 (recovered api VM): running, VM agent Ready");
  });

  it("notification channels, when wired: failing is red, none configured amber", () => {
    const withChannels = (channels: NonNullable<HealthSnapshot["notificationChannels"]>) =>
      evaluate({}, { ...buildSnapshot(estate), notificationChannels: channels });
    expect(check(withChannels(readOk([{ channel: "teams", state: "failing", detail: "HTTP 410" }])), "estate/notifications")).toMatchObject({
      status: "red",
      reason: expect.stringContaining("HTTP 410"),
    });
    expect(check(withChannels(readOk([])), "estate/notifications").status).toBe("amber");
    expect(evaluate().estateChecks.some((c) => c.kind === "notifications")).toBe(false);
  });

  it("the summary names the worst findings", () => {
    const report = evaluate({ item: onlyFor("API03", (i) => ({ ...i, lastRecoveryPointReceived: minutesAgo(50) })), targetDcHeartbeat: readOk(null) });
    expect(report.overall).toBe("red");
    expect(report.summary).toMatch(
      /^RED: 2 red, 143 green \(16 VMs, 17 estate checks\)\. Red: API03 RPO; Domain controller in the target region \(DC03-EUS\)\.$/,
    );
  });
});
