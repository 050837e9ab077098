import { readFileSync } from "node:fs";
import { createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { createDns } from "../../shared/adapters/dnsAdapter.js";
import { parseEstate, type Estate } from "../../shared/domain/estate.js";
import { createSimulatedClients } from "../../local/simulated-azure/clients.js";
import { createSimulatedAzure, type SimulatedAzure } from "../../local/simulated-azure/simulatedAzure.js";

const estate: Estate = parseEstate(JSON.parse(readFileSync(new URL("../../estate/sample-estate.json", import.meta.url), "utf8")));
const RG = "rg-contoso-dr-eastus";

function setup() {
  let t = Date.parse("2025-03-01T10:02:30Z");
  const sim = createSimulatedAzure({ estate, clock: { now: () => new Date(t) } });
  return { sim, ...createSimulatedClients(sim, estate.subscriptionId, { retryDelayInMs: 1, maxRetryDelayInMs: 5 }), advance: (ms: number) => (t += ms) };
}

async function put(sim: SimulatedAzure, path: string, apiVersion: string, body: unknown) {
  const response = await sim.httpClient.sendRequest(
    createPipelineRequest({
      url: `https://management.azure.com/subscriptions/${estate.subscriptionId}${path}?api-version=${apiVersion}`,
      method: "PUT",
      headers: createHttpHeaders({ authorization: "Bearer test", "content-type": "application/json" }),
      body: JSON.stringify(body),
    }),
  );
  return { status: response.status, body: JSON.parse(response.bodyAsText ?? "{}") as { error?: { code: string; message: string } } };
}

describe("simulated Azure DNS (public zone)", () => {
  it("serves the seeded record set on premises, with TTL and etag", async () => {
    const { dns, sim } = setup();
    const set = await dns.recordSets.get(RG, "contoso.com", "www", "A");
    expect(set).toMatchObject({ name: "www", type: "Microsoft.Network/dnsZones/A", ttl: 300 });
    expect(set.aRecords?.map((r) => r.ipv4Address)).toEqual(["203.0.113.9"]);
    expect(set.etag).toMatch(/^[0-9a-f-]{36}$/);
    expect(sim.dnsRecord("public", "contoso.com", "www")).toEqual({ addresses: [set.aRecords?.[0]?.ipv4Address], ttl: 300, etag: set.etag });
  });

  it("writes with If-Match, gives a new etag, and answers 412 to a stale one", async () => {
    const { dns, sim } = setup();
    const before = await dns.recordSets.get(RG, "contoso.com", "api", "A");
    const written = await dns.recordSets.createOrUpdate(
      RG,
      "contoso.com",
      "api",
      "A",
      { ttl: 300, aRecords: [{ ipv4Address: "20.62.10.20" }] },
      { ifMatch: before.etag ?? "" },
    );
    expect(written.etag).not.toBe(before.etag);
    expect(written.aRecords).toEqual([{ ipv4Address: "20.62.10.20" }]);
    expect(sim.dnsRecord("public", "contoso.com", "api")?.addresses).toEqual(["20.62.10.20"]);

    await expect(
      dns.recordSets.createOrUpdate(RG, "contoso.com", "api", "A", { ttl: 300, aRecords: [{ ipv4Address: "203.0.113.99" }] }, { ifMatch: before.etag ?? "" }),
    ).rejects.toMatchObject({ statusCode: 412, code: "PreconditionFailed" });
    expect(sim.dnsRecord("public", "contoso.com", "api")?.addresses).toEqual(["20.62.10.20"]);
    expect(sim.misuse).toEqual([]);
  });

  it("creates with If-None-Match: * only when the set does not exist", async () => {
    const { dns, sim } = setup();
    await expect(
      dns.recordSets.createOrUpdate(RG, "contoso.com", "www", "A", { ttl: 60, aRecords: [{ ipv4Address: "20.62.10.10" }] }, { ifNoneMatch: "*" }),
    ).rejects.toMatchObject({
      statusCode: 412,
    });
    await expect(dns.recordSets.get(RG, "contoso.com", "status", "A")).rejects.toMatchObject({ statusCode: 404 });
    const created = await dns.recordSets.createOrUpdate(
      RG,
      "contoso.com",
      "status",
      "A",
      { ttl: 60, aRecords: [{ ipv4Address: "20.62.10.30" }] },
      { ifNoneMatch: "*" },
    );
    expect(created.fqdn).toBe("status.contoso.com");
    expect(sim.dnsRecord("public", "contoso.com", "status")).toMatchObject({ addresses: ["20.62.10.30"], ttl: 60 });
    expect(sim.misuse).toEqual([]);
  });

  it("rejects the Private DNS spelling on a public zone, and an unknown zone, as misuse", async () => {
    const { sim, dns } = setup();
    const wrong = await put(sim, `/resourceGroups/${RG}/providers/Microsoft.Network/dnsZones/contoso.com/A/www`, "2018-05-01", {
      properties: { ttl: 60, aRecords: [{ ipv4Address: "20.62.10.10" }] },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error?.message).toMatch(/TTL/);
    await expect(dns.recordSets.get(RG, "fabrikam.com", "www", "A")).rejects.toMatchObject({ statusCode: 404 });
    expect(sim.misuse).toHaveLength(2);
  });
});

describe("simulated Azure Private DNS", () => {
  it("reads and writes with the lower-case shape and If-Match", async () => {
    const { privateDns, sim } = setup();
    const before = await privateDns.recordSets.get(RG, "corp.contoso.internal", "A", "rec");
    expect(before).toMatchObject({
      name: "rec",
      type: "Microsoft.Network/privateDnsZones/A",
      ttl: 60,
      isAutoRegistered: false,
      fqdn: "rec.corp.contoso.internal.",
    });
    expect(before.aRecords?.every((r) => r.ipv4Address?.startsWith("192.168."))).toBe(true);
    const failoverAddresses = ["10.60.2.10", "10.60.2.11", "10.60.2.12", "10.60.2.13"];
    const written = await privateDns.recordSets.createOrUpdate(
      RG,
      "corp.contoso.internal",
      "A",
      "rec",
      { ttl: 60, aRecords: failoverAddresses.map((ipv4Address) => ({ ipv4Address })) },
      { ifMatch: before.etag ?? "" },
    );
    expect(written.etag).not.toBe(before.etag);
    expect(sim.dnsRecord("private", "corp.contoso.internal", "rec")?.addresses).toEqual(failoverAddresses);
    await expect(
      privateDns.recordSets.createOrUpdate(RG, "corp.contoso.internal", "A", "rec", { ttl: 60, aRecords: [] }, { ifMatch: before.etag ?? "" }),
    ).rejects.toMatchObject({ statusCode: 412 });
    expect(sim.misuse).toEqual([]);
  });

  it("rejects the public spelling and a bad address", async () => {
    const { sim } = setup();
    const path = `/resourceGroups/${RG}/providers/Microsoft.Network/privateDnsZones/corp.contoso.internal/A/api`;
    expect((await put(sim, path, "2020-06-01", { properties: { TTL: 60, ARecords: [{ ipv4Address: "10.50.2.10" }] } })).status).toBe(400);
    expect((await put(sim, path, "2020-06-01", { properties: { ttl: 60, aRecords: [{ ipv4Address: "10.50.2.300" }] } })).status).toBe(400);
    expect((await put(sim, path, "2018-05-01", { properties: { ttl: 60, aRecords: [{ ipv4Address: "10.50.2.10" }] } })).status).toBe(400);
    expect(sim.misuse).toHaveLength(3);
  });
});

describe("record set metadata (a PUT replaces the whole set)", () => {
  it("keeps metadata from a PUT and answers it on GET, in both zone kinds, until a PUT leaves it out", async () => {
    const { dns, privateDns, sim } = setup();
    const publicSet = await dns.recordSets.createOrUpdate(RG, "contoso.com", "www", "A", {
      ttl: 300,
      metadata: { owner: "web-team" },
      aRecords: [{ ipv4Address: "203.0.113.9" }],
    });
    expect((await dns.recordSets.get(RG, "contoso.com", "www", "A")).metadata).toEqual({ owner: "web-team" });
    await privateDns.recordSets.createOrUpdate(RG, "corp.contoso.internal", "A", "rec", {
      ttl: 60,
      metadata: { cmdb: "CI-0042" },
      aRecords: [{ ipv4Address: "192.168.10.1" }],
    });
    expect((await privateDns.recordSets.get(RG, "corp.contoso.internal", "A", "rec")).metadata).toEqual({ cmdb: "CI-0042" });
    // A PUT without metadata replaces the set: the metadata is gone, which is why the product writes it back.
    await dns.recordSets.createOrUpdate(
      RG,
      "contoso.com",
      "www",
      "A",
      { ttl: 300, aRecords: [{ ipv4Address: "20.62.10.10" }] },
      { ifMatch: publicSet.etag ?? "" },
    );
    expect((await dns.recordSets.get(RG, "contoso.com", "www", "A")).metadata).toBeUndefined();
    expect(sim.misuse).toEqual([]);
  });

  it("the DNS adapter reads a foreign metadata key with the record and writes it back with new addresses", async () => {
    const { dns, privateDns, sim } = setup();
    const port = createDns({ publicDns: dns, privateDns });
    await dns.recordSets.createOrUpdate(RG, "contoso.com", "api", "A", {
      ttl: 300,
      metadata: { "managed-by": "another-tool" },
      aRecords: [{ ipv4Address: "203.0.113.10" }],
    });
    const ref = { zoneType: "public", resourceGroup: RG, zone: "contoso.com", name: "api" } as const;
    const read = await port.getARecordSet(ref);
    expect(read?.metadata).toEqual({ "managed-by": "another-tool" });
    const written = await port.putARecordSet(ref, { addresses: ["20.62.10.20"], ttl: 300, metadata: read?.metadata ?? {} }, read?.etag);
    expect(written).toMatchObject({ addresses: ["20.62.10.20"], metadata: { "managed-by": "another-tool" } });
    expect((await dns.recordSets.get(RG, "contoso.com", "api", "A")).metadata).toEqual({ "managed-by": "another-tool" });
    expect(sim.misuse).toEqual([]);
  });
});

describe("simulated Azure route tables", () => {
  it("repoints a route as a long-running operation that takes routeUpdateMs of simulated time", async () => {
    const { network, sim, advance } = setup();
    const before = await network.routes.get(RG, "rt-app-eastus", "default-via-nat");
    expect(before).toMatchObject({ addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", provisioningState: "Succeeded" });
    expect(before.nextHopIpAddress).toMatch(/^192\.168\./);

    const poller = await network.routes.beginCreateOrUpdate(RG, "rt-app-eastus", "default-via-nat", {
      addressPrefix: "0.0.0.0/0",
      nextHopType: "VirtualAppliance",
      nextHopIpAddress: "10.50.0.10",
    });
    expect(poller.isDone()).toBe(false);
    const during = await network.routes.get(RG, "rt-app-eastus", "default-via-nat");
    expect(during).toMatchObject({ provisioningState: "Updating", nextHopIpAddress: "10.50.0.10" });
    expect(during.etag).not.toBe(before.etag);
    expect(sim.nextCompletionAt()).toBeDefined();

    const saved = poller.toString();
    advance(20_000);
    const resumed = await network.routes.beginCreateOrUpdate(
      RG,
      "rt-app-eastus",
      "default-via-nat",
      { addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIpAddress: "10.50.0.10" },
      { resumeFrom: saved },
    );
    expect(resumed.isDone()).toBe(true);
    expect(resumed.getResult()).toMatchObject({ provisioningState: "Succeeded", nextHopIpAddress: "10.50.0.10" });
    expect(sim.route("rt-app-eastus", "default-via-nat")).toEqual({
      addressPrefix: "0.0.0.0/0",
      nextHopType: "VirtualAppliance",
      nextHopIpAddress: "10.50.0.10",
    });
    expect(sim.nextCompletionAt()).toBeUndefined();
    expect(sim.stats().byOperation).toMatchObject({ Routes_Get: 3, Routes_CreateOrUpdate: 1, NetworkOperations_Get: 2 });
    expect(sim.misuse).toEqual([]);
  });

  it("rejects a virtual appliance route without a next hop address, and an unknown route table", async () => {
    const { network, sim } = setup();
    await expect(
      network.routes.beginCreateOrUpdate(RG, "rt-app-eastus", "default-via-nat", { addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance" }),
    ).rejects.toMatchObject({ statusCode: 400 });
    await expect(network.routes.get(RG, "rt-web-eastus", "default-via-nat")).rejects.toMatchObject({ statusCode: 404 });
    expect(sim.misuse).toHaveLength(2);
    expect(sim.route("rt-app-eastus", "default-via-nat")?.nextHopIpAddress).toMatch(/^192\.168\./);
  });
});
