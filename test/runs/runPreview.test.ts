import { describe, expect, it } from "vitest";
import { createSimulatedAzure, type FaultPlan } from "../../local/simulated-azure/simulatedAzure.js";
import { createAzurePorts } from "../../shared/adapters/azurePorts.js";
import { previewRun } from "../../shared/runs/runPreview.js";
import type { FailoverRequest } from "../../shared/domain/plan.js";
import { sampleEstate } from "../helpers.js";

const estate = sampleEstate();
const clock = { now: () => new Date("2026-11-25T02:07:00Z") };

function preview(request: FailoverRequest, faults: FaultPlan = {}) {
  const sim = createSimulatedAzure({ estate, clock, faults });
  const ports = createAzurePorts({ credential: sim.credential, subscriptionId: estate.subscriptionId, httpClient: sim.httpClient });
  return { sim, result: previewRun({ estate, clock, siteRecovery: ports.siteRecovery, dns: ports.dns, routes: ports.routes }, request) };
}

describe("the dry run's recovery points", () => {
  it("names the choice, the newest data it keeps and the data-loss window for ASR's latest and latest processed", async () => {
    const latest = await preview({ mode: "unplanned", scope: { kind: "vms", vms: ["API01"] } }).result;
    // The simulated appliance's data trails the VM by 4 min (recorded lastRpoInSeconds 199-346 s); nothing is sent to ASR.
    expect(latest.vms[0]?.recoveryPoint).toEqual({
      type: "Latest",
      time: "2026-11-25T02:03:00.000Z",
      ageSeconds: 240,
      explanation: expect.stringContaining("latest (lowest RPO)"),
    });
    const processed = await preview({ mode: "unplanned", scope: { kind: "vms", vms: ["API01"] }, recoveryPoint: "latestProcessed" }).result;
    // Points are processed every 5 min from the received data: the newest is older, so more data is given up.
    expect(processed.vms[0]?.recoveryPoint).toMatchObject({
      time: "2026-11-25T02:00:00.000Z",
      ageSeconds: 420,
      id: expect.stringMatching(/\/recoveryPoints\//),
      explanation: expect.stringContaining("lowest RTO"),
    });
  });

  it("says when VMs of one multi-VM consistency group would fail over to different points, and names their common point", async () => {
    const { sim, result } = preview(
      { mode: "unplanned", scope: { kind: "tiers", tiers: ["api"] } },
      { multiVmGroupOf: { API01: "api-group", API02: "api-group" } },
    );
    const notes = (await result).notes;
    expect(notes).toContain(
      `API01, API02 replicate in multi-VM consistency group 'api-group': they stay consistent with each other only on a common multi-VM point; the newest is 2026-11-25T02:00:00.000Z (recoveryPoint {"at": "2026-11-25T02:00:00.000Z"}); with 'latest' each VM fails over to its own point.`,
    );
    // Asking for that time keeps the group together, and the note goes.
    const together = await preview(
      { mode: "unplanned", scope: { kind: "tiers", tiers: ["api"] }, recoveryPoint: { at: "2026-11-25T02:00:00.000Z" } },
      { multiVmGroupOf: { API01: "api-group", API02: "api-group" } },
    ).result;
    expect(together.notes.some((n) => n.includes("multi-VM"))).toBe(false);
    expect(sim.stats().writes).toBe(0);
  });
});
