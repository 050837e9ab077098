import { createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { createNics } from "../../shared/adapters/nicAdapter.js";
import { createSimulatedClients } from "../../local/simulated-azure/clients.js";
import { createSimulatedAzure } from "../../local/simulated-azure/simulatedAzure.js";
import { sampleEstate } from "../helpers.js";

const estate = sampleEstate();
const RG = "rg-contoso-dr-eastus";
// The target DC runs in Azure from the start, so its VM and NIC exist before any failover.
const DC = "DC03-EUS";
const DC_NIC = `${DC}-nic0`;

function setup() {
  let t = Date.parse("2026-11-25T02:00:00Z");
  const sim = createSimulatedAzure({ estate, clock: { now: () => new Date(t) } });
  const clients = createSimulatedClients(sim, estate.subscriptionId, { retryDelayInMs: 1, maxRetryDelayInMs: 5 });
  return { sim, ...clients, nics: createNics({ compute: clients.compute, network: clients.network }), advance: (ms: number) => (t += ms) };
}

describe("simulated Azure VMs and network interfaces", () => {
  it("answers a VM with its primary NIC reference, and the NIC with IP forwarding off, its private IP and an etag", async () => {
    const { compute, network, sim } = setup();
    const vm = await compute.virtualMachines.get(RG, DC);
    expect(vm.networkProfile?.networkInterfaces).toEqual([
      { id: expect.stringMatching(new RegExp(`/providers/Microsoft\\.Network/networkInterfaces/${DC_NIC}$`)), primary: true },
    ]);
    const nic = await network.networkInterfaces.get(RG, DC_NIC);
    expect(nic).toMatchObject({ enableIPForwarding: false, provisioningState: "Succeeded", primary: true, virtualMachine: { id: vm.id } });
    expect(nic.etag).toMatch(/^W\/"[0-9a-f-]{36}"$/);
    expect(nic.ipConfigurations?.map((c) => ({ primary: c.primary, privateIPAddress: c.privateIPAddress }))).toEqual([
      { primary: true, privateIPAddress: "10.50.1.4" },
    ]);
    await expect(compute.virtualMachines.get(RG, "NAT01")).rejects.toMatchObject({ statusCode: 404 }); // not failed over yet
    expect(sim.misuse).toEqual([]);
  });

  it("updates a NIC as a long-running operation under If-Match, answers 412 to a stale etag, and resumes from a saved poller", async () => {
    const { network, nics, sim, advance } = setup();
    const before = await nics.getPrimaryNic(`/subscriptions/${estate.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/${DC}`);
    expect(before).toMatchObject({ enableIpForwarding: false, privateIpAddress: "10.50.1.4", provisioningState: "Succeeded" });

    await expect(nics.startEnableIpForwarding(before.id, 'W/"00000000-0000-0000-0000-000000000000"')).rejects.toMatchObject({ code: "PreconditionFailed" });
    expect((await network.networkInterfaces.get(RG, DC_NIC)).enableIPForwarding).toBe(false);

    const started = await nics.startEnableIpForwarding(before.id, before.etag);
    expect(started.status).toBe("running");
    const during = await network.networkInterfaces.get(RG, DC_NIC);
    expect(during).toMatchObject({ enableIPForwarding: true, provisioningState: "Updating" });
    expect(during.etag).not.toBe(before.etag);
    // The rest of the NIC came back as it was: a PUT replaces the whole resource.
    expect(during.ipConfigurations?.[0]?.privateIPAddress).toBe("10.50.1.4");
    if (started.status !== "running") throw new Error("expected a running operation");
    expect((await nics.resumeEnableIpForwarding(before.id, started.resumeToken)).status).toBe("running");
    advance(60_000);
    expect(await nics.resumeEnableIpForwarding(before.id, started.resumeToken)).toEqual({ status: "succeeded", result: undefined });
    expect(
      await nics.getPrimaryNic(`/subscriptions/${estate.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/${DC}`),
    ).toMatchObject({ enableIpForwarding: true, provisioningState: "Succeeded" });
    const { byOperation } = sim.stats();
    expect([byOperation["NetworkInterfaces_CreateOrUpdate:412"], byOperation["NetworkInterfaces_CreateOrUpdate"]]).toEqual([1, 1]);
    expect(sim.misuse).toEqual([]);
  });

  it("refuses, as misuse, a NIC PUT that leaves out its IP configuration or changes its address", async () => {
    const { network, sim } = setup();
    const nic = await network.networkInterfaces.get(RG, DC_NIC);
    const put = (body: unknown) =>
      sim.httpClient.sendRequest(
        createPipelineRequest({
          url: `https://management.azure.com${nic.id ?? ""}?api-version=2025-05-01`,
          method: "PUT",
          headers: createHttpHeaders({ authorization: "Bearer test", "content-type": "application/json" }),
          body: JSON.stringify(body),
        }),
      );
    expect((await put({ location: "eastus", properties: { enableIPForwarding: true } })).status).toBe(400);
    const moved = {
      location: "eastus",
      properties: {
        enableIPForwarding: true,
        ipConfigurations: [{ name: "ipconfig1", properties: { privateIPAddress: "10.255.0.99", subnet: { id: nic.ipConfigurations?.[0]?.subnet?.id } } }],
      },
    };
    expect((await put(moved)).status).toBe(400);
    expect((await network.networkInterfaces.get(RG, DC_NIC)).enableIPForwarding).toBe(false);
    expect(sim.misuse).toHaveLength(2);
  });
});
