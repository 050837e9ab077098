import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createDns } from "../../shared/adapters/dnsAdapter.js";
import { createRoutes } from "../../shared/adapters/routeAdapter.js";
import { parseEstate, type Estate } from "../../shared/domain/estate.js";
import { createSimulatedClients } from "../../local/simulated-azure/clients.js";
import { createSimulatedAzure } from "../../local/simulated-azure/simulatedAzure.js";

const estate: Estate = parseEstate(JSON.parse(readFileSync(new URL("../../estate/sample-estate.json", import.meta.url), "utf8")));
const RG = "rg-contoso-dr-eastus";
const ROUTE = { resourceGroup: RG, routeTable: "rt-app-eastus", route: "default-via-nat" };
const EGRESS = { zoneType: "private", resourceGroup: RG, zone: "corp.contoso.internal", name: "egress" } as const;

/** The production adapters over the real SDK clients and the simulated Azure, on a clock the test moves. */
function setup() {
  let t = Date.parse("2025-03-01T10:02:30Z");
  const sim = createSimulatedAzure({ estate, clock: { now: () => new Date(t) } });
  const clients = createSimulatedClients(sim, estate.subscriptionId, { retryDelayInMs: 1, maxRetryDelayInMs: 5 });
  return {
    sim,
    routes: createRoutes({ client: clients.network }),
    dns: createDns({ publicDns: clients.dns, privateDns: clients.privateDns }),
    advance: (ms: number) => (t += ms),
  };
}

describe("route writes and deletes under the route's etag", () => {
  it("writes with If-Match, refuses a stale etag with 412 and leaves the route as someone else set it", async () => {
    const { sim, routes, advance } = setup();
    const read = await routes.getRoute(ROUTE);
    if (!read) throw new Error("seeded route missing");
    expect(read.etag).toMatch(/^W\/"/);
    sim.editRoute(ROUTE.routeTable, ROUTE.route, "10.1.0.99");
    await expect(routes.startSetRoute(ROUTE, { addressPrefix: "0.0.0.0/0", nextHopIpAddress: "10.50.0.10" }, read.etag)).rejects.toMatchObject({
      code: "PreconditionFailed",
    });
    expect(sim.route(ROUTE.routeTable, ROUTE.route)?.nextHopIpAddress).toBe("10.1.0.99");

    const fresh = await routes.getRoute(ROUTE);
    const progress = await routes.startSetRoute(ROUTE, { addressPrefix: "0.0.0.0/0", nextHopIpAddress: "10.50.0.10" }, fresh?.etag);
    if (progress.status !== "running") throw new Error("a route PUT is long-running");
    advance(20_000);
    expect(await routes.resumeSetRoute(ROUTE, { addressPrefix: "0.0.0.0/0", nextHopIpAddress: "10.50.0.10" }, progress.resumeToken)).toEqual({
      status: "succeeded",
      result: undefined,
    });
    expect(sim.route(ROUTE.routeTable, ROUTE.route)?.nextHopIpAddress).toBe("10.50.0.10");
    expect(sim.stats().byOperation).toMatchObject({ "Routes_CreateOrUpdate:412": 1, Routes_CreateOrUpdate: 1 });
    expect(sim.misuse).toEqual([]);
  });

  it("deletes a route only at the etag read, reads it 'Deleting' until the operation ends, and a route already gone is deleted", async () => {
    const { sim, routes, advance } = setup();
    const read = await routes.getRoute(ROUTE);
    if (!read) throw new Error("seeded route missing");
    await expect(routes.startDeleteRoute(ROUTE, 'W/"an-etag-from-before"')).rejects.toMatchObject({ code: "PreconditionFailed" });
    expect(sim.stats().byOperation["Routes_Delete"]).toBeUndefined();

    const progress = await routes.startDeleteRoute(ROUTE, read.etag);
    if (progress.status !== "running") throw new Error("a route DELETE answers 202 and runs on");
    expect(await routes.getRoute(ROUTE)).toMatchObject({ provisioningState: "Deleting" });
    advance(20_000);
    expect(await routes.resumeDeleteRoute(ROUTE, progress.resumeToken)).toEqual({ status: "succeeded", result: undefined });
    expect(await routes.getRoute(ROUTE)).toBeUndefined();
    expect(sim.route(ROUTE.routeTable, ROUTE.route)).toBeUndefined();
    // Gone already: nothing is sent but the read.
    expect(await routes.startDeleteRoute(ROUTE, read.etag)).toEqual({ status: "succeeded", result: undefined });
    expect(sim.stats().byOperation["Routes_Delete"]).toBe(1);
    // The snapshot (a sandbox's saved state) leaves the finished delete's operation out rather than fail.
    expect(sim.snapshot().routeOps).toEqual([]);
    expect(sim.misuse).toEqual([]);
  });
});

describe("record set deletes with If-Match", () => {
  it("refuses a stale etag with 412, deletes at the current one (200), and answers 204 for a set already gone", async () => {
    const { sim, dns } = setup();
    const read = await dns.getARecordSet(EGRESS);
    if (!read) throw new Error("seeded record missing");
    sim.editDnsRecord(EGRESS.zoneType, EGRESS.zone, EGRESS.name, ["10.1.0.99"]);
    await expect(dns.deleteARecordSet(EGRESS, read.etag)).rejects.toMatchObject({ code: "PreconditionFailed" });
    expect(sim.dnsRecord(EGRESS.zoneType, EGRESS.zone, EGRESS.name)?.addresses).toEqual(["10.1.0.99"]);

    const current = await dns.getARecordSet(EGRESS);
    await dns.deleteARecordSet(EGRESS, current?.etag ?? "");
    expect(sim.dnsRecord(EGRESS.zoneType, EGRESS.zone, EGRESS.name)).toBeUndefined();
    await dns.deleteARecordSet(EGRESS, current?.etag ?? "");
    const www = { zoneType: "public", resourceGroup: RG, zone: "contoso.com", name: "www" } as const;
    const publicSet = await dns.getARecordSet(www);
    await dns.deleteARecordSet(www, publicSet?.etag ?? "");
    expect(await dns.getARecordSet(www)).toBeUndefined();
    expect(sim.stats().byOperation).toMatchObject({ "PrivateRecordSets_Delete:412": 1, PrivateRecordSets_Delete: 2, RecordSets_Delete: 1 });
    expect(sim.misuse).toEqual([]);
  });
});
