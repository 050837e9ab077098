import { describe, expect, it } from "vitest";
import { createSimulatedClients } from "../../local/simulated-azure/clients.js";
import { createSimulatedAzure, type FaultPlan } from "../../local/simulated-azure/simulatedAzure.js";
import { createGuestCommands } from "../../shared/adapters/guestCommandAdapter.js";
import { createVnets } from "../../shared/adapters/vnetAdapter.js";
import { buildAdDnsWriteScript, buildDcDnsReadScript, parseAdDnsWriteOutput, parseDcDnsReadOutput } from "../../shared/runs/adDnsScript.js";
import type { GuestCommand } from "../../shared/ports/guestCommands.js";
import { sampleEstate } from "../helpers.js";

const estate = sampleEstate();
const DC = estate.targetDomainController.vmId;
const ZONE = "corp.contoso.com";
const MINUTE = 60_000;

function setup(faults?: FaultPlan) {
  let t = Date.parse("2026-03-01T02:00:00Z");
  const sim = createSimulatedAzure({ estate, clock: { now: () => new Date(t) }, ...(faults ? { faults } : {}) });
  const clients = createSimulatedClients(sim, estate.subscriptionId, { retryDelayInMs: 1, maxRetryDelayInMs: 5 });
  const guest = createGuestCommands({ client: clients.compute });
  /** One Run Command through the real Compute client, its minute passed in simulated time. */
  const runOn = async (vmId: string, script: string[]): Promise<string> => {
    const command: GuestCommand = { vmId, os: "windows", script };
    const started = await guest.start(command);
    if (started.status !== "running") throw new Error("Run Command answers 202 first");
    t += MINUTE;
    const finished = await guest.resume(command, started.resumeToken);
    if (finished.status !== "succeeded") throw new Error("still running after a minute");
    return finished.result.stdout;
  };
  return { sim, clients, runOn, advance: (ms: number) => (t += ms) };
}

const readRequest = { records: [{ zone: ZONE, name: "api" }], forwarders: [{ zone: "corp.contoso.internal", name: "api" }] };

describe("simulated Azure: the DCs' DNS server through Run Command", () => {
  it("answers the read script: the name's A records with their TTL, the forwarder and a Private DNS name resolved through it", async () => {
    const { runOn, sim } = setup();
    const read = parseDcDnsReadOutput(await runOn(DC, buildDcDnsReadScript(readRequest)), readRequest);
    expect(read.records["corp.contoso.com/api"]).toEqual({
      addresses: ["192.168.30.13", "192.168.30.14", "192.168.30.15", "192.168.30.16", "192.168.30.17", "192.168.30.18"],
      ttl: 60,
    });
    expect(read.forwarders).toEqual([
      {
        zone: "corp.contoso.internal",
        masterServers: ["168.63.129.16"],
        resolved: { addresses: sim.dnsRecord("private", "corp.contoso.internal", "api")?.addresses },
      },
    ]);
    expect(sim.misuse).toEqual([]);
  });

  it("compare-and-set: writes when the name holds what was expected, refuses without writing when it does not, and is idempotent", async () => {
    const { runOn, sim } = setup();
    const was = sim.activeDirectoryDns.record(ZONE, "egress");
    expect(was).toEqual({ addresses: ["192.168.100.4"], ttl: 60 });
    const to = { addresses: ["10.50.0.10"], ttl: 60 };
    const write = buildAdDnsWriteScript({ zone: ZONE, name: "egress", expect: was ?? null, to });
    expect(parseAdDnsWriteOutput(await runOn(DC, write))).toEqual({ verdict: "set", from: was, to });
    expect(sim.activeDirectoryDns.record(ZONE, "egress")).toEqual(to);
    // The same script again (a redelivery): nothing to do.
    expect(parseAdDnsWriteOutput(await runOn(DC, write))).toEqual({ verdict: "already", holds: to });
    // Someone changed it: a write that expected the old value refuses and says what it found.
    sim.activeDirectoryDns.edit(ZONE, "egress", { addresses: ["10.9.9.9"], ttl: 300 });
    expect(parseAdDnsWriteOutput(await runOn(DC, write))).toEqual({ verdict: "changed", holds: { addresses: ["10.9.9.9"], ttl: 300 } });
    expect(sim.activeDirectoryDns.record(ZONE, "egress")).toEqual({ addresses: ["10.9.9.9"], ttl: 300 });
    expect(sim.activeDirectoryDns.writes()).toEqual(["corp.contoso.com/egress"]);
  });

  it("changes the zone when the command completes, not when it is accepted", async () => {
    const { clients, sim, advance } = setup();
    const poller = await clients.compute.virtualMachines.beginRunCommand("rg-contoso-dr-eastus", "DC03-EUS", {
      commandId: "RunPowerShellScript",
      script: buildAdDnsWriteScript({
        zone: ZONE,
        name: "egress",
        expect: { addresses: ["192.168.100.4"], ttl: 60 },
        to: { addresses: ["10.50.0.10"], ttl: 60 },
      }),
    });
    expect(sim.activeDirectoryDns.record(ZONE, "egress")?.addresses).toEqual(["192.168.100.4"]);
    advance(MINUTE);
    await poller.poll();
    expect(poller.isDone()).toBe(true);
    expect(sim.activeDirectoryDns.record(ZONE, "egress")?.addresses).toEqual(["10.50.0.10"]);
  });

  it("without a conditional forwarder the DC cannot resolve the Private DNS zone", async () => {
    const { runOn, sim } = setup({ windowsDns: { missingForwarders: ["corp.contoso.internal"] } });
    const read = parseDcDnsReadOutput(await runOn(DC, buildDcDnsReadScript(readRequest)), readRequest);
    expect(read.forwarders[0]).toEqual({
      zone: "corp.contoso.internal",
      masterServers: null,
      resolved: { error: "api.corp.contoso.internal : DNS name does not exist" },
    });
    expect(sim.misuse).toEqual([]);
  });

  it("a sandbox restarted from its snapshot finds the DCs' names as the last write left them", async () => {
    const { runOn, sim } = setup();
    await runOn(
      DC,
      buildAdDnsWriteScript({ zone: ZONE, name: "egress", expect: { addresses: ["192.168.100.4"], ttl: 60 }, to: { addresses: ["10.50.0.10"], ttl: 60 } }),
    );
    const saved = JSON.parse(JSON.stringify(sim.snapshot())) as ReturnType<typeof sim.snapshot>;
    const restarted = createSimulatedAzure({ estate, clock: { now: () => new Date(saved.clock) }, restore: saved });
    expect(restarted.activeDirectoryDns.record(ZONE, "egress")).toEqual({ addresses: ["10.50.0.10"], ttl: 60 });
    expect(restarted.activeDirectoryDns.writes()).toEqual(["corp.contoso.com/egress"]);
  });

  it("answers a recovery VNet's DHCP DNS servers (VirtualNetworks_Get) through the real Network client", async () => {
    const { clients } = setup({ vnetDnsServers: { "vnet-prod-southeastasia": [] } });
    const vnets = createVnets({ client: clients.network });
    const east = `/subscriptions/${estate.subscriptionId}/resourceGroups/rg-contoso-dr-eastus/providers/Microsoft.Network/virtualNetworks/vnet-prod-eastus`;
    const asia = `/subscriptions/${estate.subscriptionId}/resourceGroups/rg-contoso-dr-seasia/providers/Microsoft.Network/virtualNetworks/vnet-prod-southeastasia`;
    expect(await vnets.getDnsSettings(east)).toEqual({ id: east, dnsServers: ["10.50.1.4"] });
    expect(await vnets.getDnsSettings(asia)).toEqual({ id: asia, dnsServers: [] });
    expect(await vnets.getDnsSettings(east.replace("vnet-prod-eastus", "vnet-elsewhere"))).toBeUndefined();
  });
});
