import { describe, expect, it } from "vitest";
import { createAzurePorts } from "../../shared/adapters/azurePorts.js";
import { SimulatedClock } from "../../local/simulatedClock.js";
import { createSimulatedAzure } from "../../local/simulated-azure/simulatedAzure.js";
import { protectedItemRef } from "../../shared/runs/executors/estateLookup.js";
import { sampleEstate } from "../helpers.js";

const start = new Date("2026-11-25T02:00:00Z");

describe("a vault's ASR jobs in one list (ReplicationJobs_List)", () => {
  it("lists the jobs started since a time, with their state, through the real SDK client", async () => {
    const estate = sampleEstate();
    const clock = new SimulatedClock(start, { realTime: false });
    const azure = createSimulatedAzure({ estate, clock });
    const { siteRecovery } = createAzurePorts({ credential: azure.credential, subscriptionId: estate.subscriptionId, httpClient: azure.httpClient, clock });
    const dc01 = protectedItemRef(estate, "DC01");
    const dc02 = protectedItemRef(estate, "DC02");
    const first = await siteRecovery.startUnplannedFailover(dc01, undefined);
    clock.advanceTo(new Date(start.getTime() + 60_000));
    const second = await siteRecovery.startUnplannedFailover(dc02, undefined);

    const both = await siteRecovery.listJobs(dc01.vault, start);
    expect(both.map((j) => [j.name, j.state, j.scenarioName])).toEqual([
      [second.jobName, "InProgress", "UnplannedFailover"],
      [first.jobName, "InProgress", "UnplannedFailover"],
    ]);
    // startTime means "started at or after": the earlier job drops out of a later window.
    expect((await siteRecovery.listJobs(dc01.vault, new Date(start.getTime() + 30_000))).map((j) => j.name)).toEqual([second.jobName]);
    // Jobs that ended are listed with their outcome, so one list tells every parked step what became of its job.
    clock.advanceTo(new Date(start.getTime() + 60 * 60_000));
    expect((await siteRecovery.listJobs(dc01.vault, start)).map((j) => j.state)).toEqual(["Succeeded", "Succeeded"]);
    // The other vault's jobs are not in this vault's list.
    const rec = protectedItemRef(estate, "REC01");
    expect(await siteRecovery.listJobs(rec.vault, start)).toEqual([]);
    expect(azure.stats().byOperation["ReplicationJobs_List"]).toBe(4);
    expect(azure.misuse).toEqual([]);
  });
});
