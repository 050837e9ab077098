import { describe, expect, it } from "vitest";
import { createSimulatedClients } from "../../local/simulated-azure/clients.js";
import type { BoundaryHook } from "../../shared/runs/engineDeps.js";
import { buildRunReport } from "../../shared/reports/buildRunReport.js";
import { buildRoundTripReport } from "../../shared/reports/buildRoundTripReport.js";
import { renderRunReportHtml } from "../../shared/reports/renderRunReportHtml.js";
import { previewRun } from "../../shared/runs/runPreview.js";
import { EDGE_SCOPE, roundTripStack, type RoundTripStack } from "./failbackHarness.js";

const RG = "rg-contoso-dr-eastus";
const EGRESS = { zoneType: "private", zone: "corp.contoso.internal", name: "egress" } as const;
const ROUTE = { table: "rt-app-eastus", route: "default-via-nat" } as const;
const ROUTE_STEP = `route:${ROUTE.table}:${ROUTE.route}`;
const RESTORE_ROUTE = `restore-${ROUTE_STEP}`;
const RESTORE_DNS = `restore-dns:${EGRESS.zoneType}:${EGRESS.zone}:${EGRESS.name}`;
/** An address someone else points the route or the name at. */
const SOMEONE_ELSES = "10.1.0.99";

/** Runs `edit` once, at the first journal write of `stepId` that carries `field`: between the step's read and its write. */
function editOnceBefore(stepId: string, field: string, edit: () => void): BoundaryHook {
  let done = false;
  return (name, context) => {
    if (done || name !== "journalSaving" || context.stepId !== stepId || !context.fields?.includes(field)) return;
    done = true;
    edit();
  };
}

/** Chains boundary hooks set after the stack is built. */
function hooks(): { hook: BoundaryHook; add(h: BoundaryHook): void } {
  const all: BoundaryHook[] = [];
  return { hook: (name, context) => all.forEach((h) => h(name, context)), add: (h) => void all.push(h) };
}

/** Removes the egress name and the route, so the failover creates both. */
async function removeBeforeFailover(rt: RoundTripStack): Promise<void> {
  const clients = createSimulatedClients(rt.stack.azure, rt.stack.estate.subscriptionId);
  await clients.privateDns.recordSets.delete(RG, EGRESS.zone, "A", EGRESS.name);
  // Accepted (202); the route is gone once the operation has run its course, long before the edge tier fails over.
  await clients.network.routes.beginDelete(RG, ROUTE.table, ROUTE.route);
}

async function failedOverAndReprotected(rt: RoundTripStack): Promise<string> {
  const failover = await rt.run({ mode: "unplanned", scope: EDGE_SCOPE });
  expect(failover.run.status).toBe("succeeded");
  const prep = await rt.run({ mode: "failback-prep", scope: EDGE_SCOPE, failoverRunId: failover.runId });
  expect(prep.run.status).toBe("succeeded");
  return failover.runId;
}

describe("routes under ETag, and names and routes the failover created", () => {
  it("failover: a route someone points elsewhere between the step's read and its write is not overwritten", async () => {
    const h = hooks();
    const rt = await roundTripStack({ boundary: h.hook });
    const { azure } = rt.stack;
    const before = azure.route(ROUTE.table, ROUTE.route)?.nextHopIpAddress;
    h.add(editOnceBefore(ROUTE_STEP, "previous", () => azure.editRoute(ROUTE.table, ROUTE.route, SOMEONE_ELSES)));

    const failover = await rt.run({ mode: "unplanned", scope: EDGE_SCOPE });
    expect(failover.run.status).toBe("failed");
    const step = failover.steps.find((s) => s.step.id === ROUTE_STEP);
    expect(step?.status).toBe("failed");
    expect(step?.error).toMatch(
      new RegExp(`goes to VirtualAppliance ${SOMEONE_ELSES.replace(/\./g, "\\.")} .* now, not .*${String(before).replace(/\./g, "\\.")}.*not overwritten`),
    );
    // The write carried the etag read before and was refused; the attempt after it did not write at all.
    expect(azure.stats().byOperation["Routes_CreateOrUpdate:412"]).toBe(1);
    expect(azure.stats().byOperation["Routes_CreateOrUpdate"]).toBeUndefined();
    expect(azure.route(ROUTE.table, ROUTE.route)?.nextHopIpAddress).toBe(SOMEONE_ELSES);
  });

  it("failback: a route changed between the compare and the write is not overwritten; a name the failover created and someone changed is not removed", async () => {
    const h = hooks();
    const rt = await roundTripStack({ boundary: h.hook });
    const { azure } = rt.stack;
    const clients = createSimulatedClients(azure, rt.stack.estate.subscriptionId);
    await clients.privateDns.recordSets.delete(RG, EGRESS.zone, "A", EGRESS.name);
    const failoverRunId = await failedOverAndReprotected(rt);
    const created = azure.dnsRecord(EGRESS.zoneType, EGRESS.zone, EGRESS.name)?.addresses;
    expect(created).toEqual(["10.50.0.10"]);

    h.add(editOnceBefore(RESTORE_ROUTE, "output", () => azure.editRoute(ROUTE.table, ROUTE.route, SOMEONE_ELSES)));
    h.add(editOnceBefore(RESTORE_DNS, "output", () => azure.editDnsRecord(EGRESS.zoneType, EGRESS.zone, EGRESS.name, [SOMEONE_ELSES])));
    const back = await rt.run({ mode: "failback", scope: EDGE_SCOPE, failoverRunId });
    expect(back.run.status).toBe("failed");
    const route = back.steps.find((s) => s.step.id === RESTORE_ROUTE);
    expect(route?.status).toBe("failed");
    expect(route?.error).toMatch(/goes to VirtualAppliance 10\.1\.0\.99 .*someone changed it since, so it is not overwritten/);
    const dns = back.steps.find((s) => s.step.id === RESTORE_DNS);
    expect(dns?.status).toBe("failed");
    expect(dns?.error).toMatch(/holds 10\.1\.0\.99 \(TTL 60\), not 10\.50\.0\.10 \(TTL 60\) .*so it is not removed/);
    const ops = azure.stats().byOperation;
    // One conditional write and one conditional delete, each refused; nothing written or deleted after.
    expect(ops["Routes_CreateOrUpdate:412"]).toBe(1);
    expect(ops["PrivateRecordSets_Delete:412"]).toBe(1);
    expect(ops["PrivateRecordSets_Delete"]).toBe(1); // the one before the failover
    expect(azure.route(ROUTE.table, ROUTE.route)?.nextHopIpAddress).toBe(SOMEONE_ELSES);
    expect(azure.dnsRecord(EGRESS.zoneType, EGRESS.zone, EGRESS.name)?.addresses).toEqual([SOMEONE_ELSES]);
    expect(azure.misuse).toEqual([]);
  });

  it("failback removes the name and the route the failover created, once, even when redelivered, and the preview and reports say removed", async () => {
    // Crashes, each followed by redelivery: the name's after its removal is journaled and before the delete;
    // the route's after ARM accepted the delete and before the step saved its poller state.
    let armed = false;
    const crashed = new Set<string>();
    const rt = await roundTripStack({
      boundary: (name, context) => {
        const id = context.stepId ?? "";
        const dns = id === RESTORE_DNS && name === "journalSaved";
        const route = id === RESTORE_ROUTE && name === "journalSaving" && context.fields?.includes("resumeToken") === true;
        if (!armed || !(dns || route) || crashed.has(id)) return;
        crashed.add(id);
        throw new Error(`simulated crash in ${id}`);
      },
    });
    const { azure } = rt.stack;
    await removeBeforeFailover(rt);
    const failoverRunId = await failedOverAndReprotected(rt);
    const createdHop = azure.route(ROUTE.table, ROUTE.route)?.nextHopIpAddress;
    expect(createdHop).toBeDefined();
    expect(azure.dnsRecord(EGRESS.zoneType, EGRESS.zone, EGRESS.name)?.addresses).toEqual(["10.50.0.10"]);

    const request = { mode: "failback", scope: EDGE_SCOPE, failoverRunId } as const;
    const preview = await previewRun({ ...rt.stack.root.runApi.reads, estate: rt.stack.estate, clock: rt.stack.clock, runs: rt.stack.store }, request);
    expect(preview.problems).toEqual([]);
    expect(preview.dnsChanges).toEqual([
      expect.objectContaining({
        record: "egress.corp.contoso.internal",
        from: ["10.50.0.10"],
        to: [],
        removed: true,
        detail: expect.stringMatching(/^removed by the failback/),
      }),
    ]);
    expect(preview.routeChanges).toEqual([
      expect.objectContaining({
        route: `${ROUTE.table}/${ROUTE.route}`,
        from: createdHop,
        to: null,
        removed: true,
        detail: expect.stringMatching(/^removed by the failback/),
      }),
    ]);

    armed = true;
    const back = await rt.run(request);
    expect(back.run.status).toBe("succeeded");
    expect([...crashed].sort()).toEqual([RESTORE_DNS, RESTORE_ROUTE].sort());
    expect(azure.dnsRecord(EGRESS.zoneType, EGRESS.zone, EGRESS.name)).toBeUndefined();
    expect(azure.route(ROUTE.table, ROUTE.route)).toBeUndefined();
    const ops = azure.stats().byOperation;
    expect(ops["PrivateRecordSets_Delete"]).toBe(2); // the one before the failover, and the failback's only
    expect(ops["Routes_Delete"]).toBe(2);
    expect(back.steps.find((s) => s.step.id === RESTORE_DNS)?.detail).toMatch(/removed/);
    expect(back.steps.find((s) => s.step.id === RESTORE_ROUTE)?.detail).toMatch(/removed/);

    const record = (await rt.stack.store.getRun(back.runId))?.value;
    if (!record) throw new Error("failback run not recorded");
    const report = buildRunReport(rt.stack.estate, record, back.steps, rt.stack.clock.now());
    expect(report.dnsChanges).toEqual([{ record: "egress.corp.contoso.internal", zoneType: "private", from: ["10.50.0.10"], to: [], removed: true }]);
    expect(report.routeChanges).toEqual([{ route: `${ROUTE.table}/${ROUTE.route}`, routeTable: ROUTE.table, from: createdHop, to: "", removed: true }]);
    expect(renderRunReportHtml(report)).toContain("→ removed");

    const failoverRecord = (await rt.stack.store.getRun(failoverRunId))?.value;
    if (!failoverRecord) throw new Error("failover run not recorded");
    const runs = [
      { run: failoverRecord, steps: await rt.stack.store.listSteps(failoverRunId) },
      { run: record, steps: back.steps },
    ];
    const roundTrip = buildRoundTripReport(rt.stack.estate, runs, rt.stack.clock.now());
    expect(roundTrip.dnsChanges.map((c) => c.restore)).toEqual(["removed"]);
    expect(roundTrip.routeChanges.map((c) => c.restore)).toEqual(["removed"]);
    expect(azure.misuse).toEqual([]);
  });
});
