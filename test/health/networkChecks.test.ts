import { describe, expect, it } from "vitest";
import { evaluateHealth } from "../../shared/domain/health/evaluateHealth.js";
import type { HealthCheck, HealthReport } from "../../shared/domain/health/healthReport.js";
import { readFailed, readOk, type HealthSnapshot } from "../../shared/domain/health/healthSnapshot.js";
import type { FaultPlan } from "../../local/simulated-azure/simulatedAzure.js";
import { sampleEstate } from "../helpers.js";
import { simulatedHealthCheck } from "./simulatedHealthCheck.js";
import { buildSnapshot, NOW } from "./snapshotBuilder.js";

const estate = sampleEstate();
const RUN = { reportId: "health-test", trigger: "test", isPastDue: false, startedAt: NOW, finishedAt: NOW };
const ROUTE = "estate/routes/rt-app-eastus/default-via-nat";
const NETWORK_KINDS = new Set(["dnsForwarder", "vnetDns", "routes"]);

const find = (report: HealthReport, id: string): HealthCheck => {
  const found = report.estateChecks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}; have ${report.estateChecks.map((c) => c.id).join(", ")}`);
  return found;
};
/** The network checks (AD DNS, forwarders, VNet DNS, routes) as id -> "status advice,ids". */
const networkFindings = (report: HealthReport): Record<string, string> =>
  Object.fromEntries(
    report.estateChecks
      .filter((c) => NETWORK_KINDS.has(c.kind) || c.id.startsWith("estate/dns/activedirectory/"))
      .map((c) => [c.id, `${c.status} ${c.advice.map((a) => a.id).join(",")}`.trim()]),
  );

/** The sample estate with the edge tier (NAT01) failed over: its item active in Azure, at `nicAddress`. */
function edgeFailedOver(route: { nextHopIpAddress: string }, nic: { privateIpAddress: string; enableIpForwarding: boolean }): HealthSnapshot {
  const base = buildSnapshot(estate, { item: (vm, item) => (vm.tier === "edge" ? { ...item, activeLocation: "Recovery" } : item) });
  return {
    ...base,
    routes: { "rg-contoso-dr-eastus/rt-app-eastus/default-via-nat": readOk({ addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", ...route }) },
    natNics: { NAT01: readOk(nic) },
  };
}

describe("nightly network checks: routes follow the NAT where the estate's site says", () => {
  it("after the edge tier failed over, the route must point at the recovered NAT's NIC, with IP forwarding on", () => {
    const good = evaluateHealth(estate, edgeFailedOver({ nextHopIpAddress: "10.50.0.10" }, { privateIpAddress: "10.50.0.10", enableIpForwarding: true }), RUN);
    expect(find(good, ROUTE)).toMatchObject({
      status: "green",
      reason: "Next hop VirtualAppliance 10.50.0.10; NAT01's NIC address in Azure, as expected while it runs there.",
    });

    const stale = evaluateHealth(
      estate,
      edgeFailedOver({ nextHopIpAddress: "192.168.100.4" }, { privateIpAddress: "10.50.0.10", enableIpForwarding: true }),
      RUN,
    );
    expect(find(stale, ROUTE).status).toBe("red");
    expect(find(stale, ROUTE).reason).toContain("but NAT01 runs in Azure at 10.50.0.10");
    expect(find(stale, ROUTE).advice[0]?.steps[0]).toContain("--next-hop-ip-address 10.50.0.10");

    const noForwarding = evaluateHealth(
      estate,
      edgeFailedOver({ nextHopIpAddress: "10.50.0.10" }, { privateIpAddress: "10.50.0.10", enableIpForwarding: false }),
      RUN,
    );
    expect(find(noForwarding, ROUTE).status).toBe("red");
    expect(find(noForwarding, ROUTE).reason).toContain("IP forwarding is off on NAT01's NIC");
  });

  it("before a failover, a route pointing at the NAT's address in Azure is red: nothing runs there yet", () => {
    const snapshot: HealthSnapshot = {
      ...buildSnapshot(estate),
      routes: {
        "rg-contoso-dr-eastus/rt-app-eastus/default-via-nat": readOk({
          addressPrefix: "0.0.0.0/0",
          nextHopType: "VirtualAppliance",
          nextHopIpAddress: "10.50.0.10",
        }),
      },
    };
    const report = evaluateHealth(estate, snapshot, RUN);
    expect(find(report, ROUTE)).toMatchObject({ status: "red" });
    expect(find(report, ROUTE).reason).toContain("but NAT01 runs on premises, so nothing there forwards the traffic");
  });

  it("a DC read that failed makes its checks unknown, with the reason, and nothing else", () => {
    const snapshot: HealthSnapshot = { ...buildSnapshot(estate), domainControllerDns: readFailed("Run Command on DC03-EUS: Conflict") };
    const report = evaluateHealth(estate, snapshot, RUN);
    expect(networkFindings(report)).toEqual({
      "estate/dns/activedirectory/corp.contoso.com/egress": "unknown",
      "estate/dns/activedirectory/corp.contoso.com/api": "unknown",
      "estate/dns/activedirectory/corp.contoso.com/web": "unknown",
      "estate/dnsForwarder/target-dc": "unknown",
    });
    expect(find(report, "estate/dns/activedirectory/corp.contoso.com/api").reason).toBe(
      "Could not read the target DC's DNS server through Run Command: Run Command on DC03-EUS: Conflict.",
    );
  });
});

describe("nightly network checks: the recovery VNets the estate names", () => {
  const [eastVnet, asiaVnet] = Object.values(estate.vaults).map((vault) => vault.recoveryNetworkIds[0]!);
  const elsewhere = eastVnet!.replace(
    /rg-contoso-network-eastus\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+$/,
    "rg-apps-eastus/providers/Microsoft.Network/virtualNetworks/vnet-apps",
  );
  /** Every item fails over into its vault's named VNet, but API06, whose item targets a VNet the estate does not name; the named ones are read. */
  const snapshot = (): HealthSnapshot => ({
    ...buildSnapshot(estate, {
      item: (vm, item) => ({
        ...item,
        target: { ...item.target, networkId: vm.name === "API06" ? elsewhere : estate.vaults[vm.vault]!.recoveryNetworkIds[0]! },
      }),
    }),
    vnets: {
      [eastVnet!.toLowerCase()]: readOk({ dnsServers: [estate.targetDomainController.address] }),
      [asiaVnet!.toLowerCase()]: readFailed("read virtual network vnet-prod-southeastasia: Unauthorized (AuthorizationFailed)"),
    },
  });

  it("reports a VNet the items target that the estate does not name, with what to add where, and checks the named ones", () => {
    const report = evaluateHealth(estate, snapshot(), RUN);
    const vnetFindings = Object.fromEntries(Object.entries(networkFindings(report)).filter(([id]) => id.startsWith("estate/vnetDns/")));
    expect(vnetFindings).toEqual({
      "estate/vnetDns/vnet-prod-eastus": "green",
      "estate/vnetDns/vnet-prod-southeastasia": "unknown recovery-vnet-read",
      "estate/vnetDns/vnet-apps": "amber recovery-vnet-not-named",
    });
    const unnamed = find(report, "estate/vnetDns/vnet-apps");
    expect(unnamed.reason).toBe(
      `ASR fails API06 over into vnet-apps (${elsewhere}), which the estate does not name in vaults.eastus.recoveryNetworkIds: its DNS servers are not checked, since the app may read only the VNets the estate names.`,
    );
    expect(unnamed.advice[0]?.steps.slice(0, 2)).toEqual([
      `Add '${elsewhere}' to vaults.eastus.recoveryNetworkIds in the estate file (\`npm run estate -- validate\` checks it).`,
      `Add { "resourceGroup": "rg-apps-eastus", "name": "vnet-apps" } to infra's recoveryVirtualNetworks parameter (infra/main.parameters.json) and run \`azd provision\`: it grants the app's identity Reader on that VNet, which reading its DNS servers needs.`,
    ]);
    expect(find(report, "estate/vnetDns/vnet-prod-southeastasia").advice[0]?.steps[0]).toContain(
      `list '${asiaVnet!.toLowerCase()}' in infra's recoveryVirtualNetworks parameter`,
    );
  });

  it("has no VNet check when the VNet reads are not wired", () => {
    const { vnets: _unread, ...unwired } = snapshot();
    expect(Object.keys(networkFindings(evaluateHealth(estate, unwired, RUN))).filter((id) => id.startsWith("estate/vnetDns/"))).toEqual([]);
  });
});

// Through the real SDK clients against simulated Azure: the DC's DNS server by Run Command, the VNets, the route.
const healthCheck = (faults: FaultPlan): ReturnType<typeof simulatedHealthCheck> => simulatedHealthCheck(estate, faults, "network-test");

describe("nightly network checks against simulated Azure", () => {
  it("recognises a DC without the Private DNS forwarder, AD names with a long TTL and a VNet on Azure-provided DNS, and advises each", async () => {
    const { report } = await healthCheck({
      windowsDns: { missingForwarders: ["corp.contoso.internal"], recordTtl: { "corp.contoso.com/api": 3600 } },
      vnetDnsServers: { "vnet-prod-southeastasia": [], "vnet-prod-eastus": ["192.168.1.53", "10.50.1.4"] },
    });
    expect(networkFindings(report)).toEqual({
      "estate/dns/activedirectory/corp.contoso.com/egress": "green",
      "estate/dns/activedirectory/corp.contoso.com/api": "red ad-dns-ttl",
      "estate/dns/activedirectory/corp.contoso.com/web": "green",
      "estate/dnsForwarder/corp.contoso.internal": "red dns-conditional-forwarder",
      "estate/vnetDns/vnet-prod-eastus": "amber vnet-dns-servers",
      "estate/vnetDns/vnet-prod-southeastasia": "red vnet-dns-servers",
      [ROUTE]: "green",
    });
    expect(find(report, "estate/dns/activedirectory/corp.contoso.com/api").reason).toContain(
      "TTL 3600 s: resolvers may keep the old address for 60 min after the flip",
    );
    expect(find(report, "estate/dnsForwarder/corp.contoso.internal").reason).toContain("The target DC has no conditional forwarder for corp.contoso.internal");
    expect(find(report, "estate/dnsForwarder/corp.contoso.internal").advice[0]?.steps[0]).toContain(
      "Add-DnsServerConditionalForwarderZone -Name 'corp.contoso.internal' -MasterServers 168.63.129.16",
    );
    expect(find(report, "estate/vnetDns/vnet-prod-southeastasia").reason).toContain("It uses Azure-provided DNS");
    expect(find(report, "estate/vnetDns/vnet-prod-eastus").reason).toContain("the target DC is there but not first");
  });
});
