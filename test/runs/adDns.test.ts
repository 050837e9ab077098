import { describe, expect, it } from "vitest";
import { ComputeManagementClient } from "@azure/arm-compute";
import { updateAdDnsStepId, restoreAdDnsStepsFor } from "../../shared/domain/adDnsSteps.js";
import { checkEstate, parseEstate } from "../../shared/domain/estate.js";
import { planFailover } from "../../shared/domain/planFailover.js";
import { createGuestCommands } from "../../shared/adapters/guestCommandAdapter.js";
import type { EngineDeps } from "../../shared/runs/engineDeps.js";
import { DEFAULT_TIMING } from "../../shared/runs/engineDeps.js";
import { executeRestoreAdDns } from "../../shared/runs/executors/adDns.js";
import { previewAdDns } from "../../shared/runs/adDnsPreview.js";
import { evaluateHealth } from "../../shared/domain/health/evaluateHealth.js";
import { readOk } from "../../shared/domain/health/healthSnapshot.js";
import { buildSnapshot, NOW } from "../health/snapshotBuilder.js";
import { patchJournal, type StepContext } from "../../shared/runs/stepContext.js";
import type { StepOutcome } from "../../shared/runs/stepOutcome.js";
import type { StepJournal } from "../../shared/ports/runStore.js";
import type { LocalStack } from "../../local/localStack.js";
import { sampleEstate } from "../helpers.js";
import { runFailover, type HarnessRun } from "./engineHarness.js";

const estate = sampleEstate();
const ZONE = "corp.contoso.com";
const STEP = updateAdDnsStepId(ZONE, "egress");
const edgeOnly = { mode: "unplanned", scope: { kind: "tiers", tiers: ["edge"] } } as const;
/** The NAT's on-premises address, where the name starts (the simulator's sourceAddresses.ts). */
const ON_PREMISES = { addresses: ["192.168.100.4"], ttl: 60 };
const RECOVERED = { addresses: ["10.50.0.10"], ttl: 60 };

describe("AD-integrated DNS in the estate and the plan", () => {
  it("plans each name's flip after its tier's VMs are checked, before the tier is ready; a drill leaves the names alone", () => {
    const plan = planFailover(estate, edgeOnly);
    expect(plan.steps.find((s) => s.id === STEP)).toEqual({
      kind: "updateAdDns",
      id: STEP,
      dependsOn: ["probe:NAT01"],
      tier: "edge",
      target: "egress.corp.contoso.com",
      zone: ZONE,
      name: "egress",
      addresses: ["10.50.0.10"],
      ttl: 60,
    });
    expect(plan.steps.find((s) => s.id === "tier-ready:edge")?.dependsOn).toContain(STEP);
    const drill = planFailover(estate, { mode: "test", scope: { kind: "tiers", tiers: ["edge"] } });
    expect(drill.steps.some((s) => s.kind === "updateAdDns")).toBe(false);
    expect(drill.notes).toContain("Test failover: routes and DNS of tier 'edge' stay on production values.");
  });

  it("names every problem of an AD record in one pass: unknown tier, a name listed twice", () => {
    const json = JSON.parse(JSON.stringify(estate)) as { activeDirectoryDns: Record<string, unknown>[] };
    json.activeDirectoryDns.push({ tier: "database", zone: ZONE, name: "API", failoverAddresses: ["10.0.0.1"], ttl: 60 });
    expect(checkEstate(json).problems).toEqual([
      "activeDirectoryDns[3].tier: unknown tier 'database'",
      "activeDirectoryDns[3]: record 'API' in zone 'corp.contoso.com' is listed twice",
    ]);
  });
});

describe("AD-integrated DNS flip on the target-region DC", () => {
  it("reads the name first, journals it with its TTL, then sets it through Run Command on the target DC", async () => {
    let before: unknown;
    const result = await runFailover({ request: edgeOnly, onStack: (stack) => void (before = stack.azure.activeDirectoryDns.record(ZONE, "egress")) });
    expect(before).toEqual(ON_PREMISES);
    expect(result.run.status).toBe("succeeded");
    const step = result.step(STEP);
    expect(step.status).toBe("succeeded");
    expect(step.journal.previous).toEqual(ON_PREMISES);
    expect(step.journal.output).toEqual({ from: ON_PREMISES, to: RECOVERED });
    expect(step.detail).toBe("egress.corp.contoso.com: 192.168.100.4 (TTL 60 s) -> 10.50.0.10 (TTL 60 s) on the target-region DC");
    expect(result.stack.azure.activeDirectoryDns.record(ZONE, "egress")).toEqual(RECOVERED);
    expect(result.stack.azure.activeDirectoryDns.writes()).toEqual(["corp.contoso.com/egress"]);
    // Only the names of the tier in scope were touched.
    expect(result.stack.azure.activeDirectoryDns.record(ZONE, "api")?.addresses).not.toContain("10.50.2.10");
    expect(result.stack.azure.misuse).toEqual([]);
  });

  it("a name someone changed between the read and the write is not overwritten: the step fails saying what it found", async () => {
    let stack: LocalStack | undefined;
    const someoneElse = { addresses: ["10.9.9.9"], ttl: 300 };
    const result = await runFailover({
      request: edgeOnly,
      onStack: (s) => void (stack = s),
      // Right after the read is journaled, before the write command runs: a person edits the record on DC01.
      boundary: (name, context) => {
        if (name === "journalSaving" && context.stepId === STEP && context.fields?.includes("previous"))
          stack?.azure.activeDirectoryDns.edit(ZONE, "egress", someoneElse);
      },
    });
    const step = result.step(STEP);
    expect(step.status).toBe("failed");
    expect(step.error).toContain(
      "egress.corp.contoso.com changed since it was read: it holds 10.9.9.9 (TTL 300 s), not 192.168.100.4 (TTL 60 s); nothing was written",
    );
    expect(result.run.status).toBe("failed");
    expect(result.stack.azure.activeDirectoryDns.record(ZONE, "egress")).toEqual(someoneElse);
    expect(result.stack.azure.activeDirectoryDns.writes()).toEqual([]);
  });

  it("names of one tier flipped side by side take turns on the DC (one Run Command per VM at a time)", async () => {
    const json = JSON.parse(JSON.stringify(estate)) as { activeDirectoryDns: Record<string, unknown>[] };
    json.activeDirectoryDns.push({ tier: "edge", zone: ZONE, name: "nat", failoverAddresses: ["10.50.0.10"], ttl: 60 });
    const twoNames = parseEstate(json);
    const result = await runFailover({ estate: twoNames, request: edgeOnly });
    expect(result.run.status).toBe("succeeded");
    expect(result.step(updateAdDnsStepId(ZONE, "nat")).status).toBe("succeeded");
    expect([...result.stack.azure.activeDirectoryDns.writes()].sort()).toEqual(["corp.contoso.com/egress", "corp.contoso.com/nat"]);
    expect(result.stack.azure.activeDirectoryDns.record(ZONE, "nat")).toEqual(RECOVERED);
  });

  it("a crash at every boundary of the flip, each followed by redelivery, writes the name once", async () => {
    const crashed = new Set<string>();
    const result = await runFailover({
      request: edgeOnly,
      boundary: (name, context) => {
        if (context.stepId !== STEP) return;
        const site = `${name}|${(context.fields ?? []).join(",")}`;
        if (crashed.has(site)) return;
        crashed.add(site);
        throw new Error(`simulated crash at ${site}`);
      },
    });
    expect(crashed.size).toBeGreaterThan(4);
    expect(result.step(STEP).status).toBe("succeeded");
    expect(result.step(STEP).journal.previous).toEqual(ON_PREMISES);
    expect(result.stack.azure.activeDirectoryDns.record(ZONE, "egress")).toEqual(RECOVERED);
    expect(result.stack.azure.activeDirectoryDns.writes()).toEqual(["corp.contoso.com/egress"]);
  });

  it("a failback sets the name back from the failover's journal, and leaves a name changed since the failover alone", async () => {
    const failover = await runFailover({ request: edgeOnly });
    expect(failover.step(STEP).status).toBe("succeeded");
    const restore = restoreAdDnsStepsFor(estate, "edge", [], failover.runId)[0];
    if (!restore) throw new Error("no restore step for the edge tier");
    expect(restore).toMatchObject({ kind: "restoreAdDns", id: "restore-dns:activeDirectory:corp.contoso.com:egress", failoverRunId: failover.runId });

    const setBack = await runStep(failover, restore);
    expect(setBack.status).toBe("done");
    expect(failover.stack.azure.activeDirectoryDns.record(ZONE, "egress")).toEqual(ON_PREMISES);
    // Redelivered after it finished: the name already holds the old value, nothing is written again.
    const again = await runStep(failover, restore);
    expect(again).toMatchObject({ status: "done", detail: "egress.corp.contoso.com already holds 192.168.100.4 (TTL 60 s)" });
    expect(failover.stack.azure.activeDirectoryDns.writes()).toEqual(["corp.contoso.com/egress", "corp.contoso.com/egress"]);

    // Someone pointed the name elsewhere after the failover: the failback must not undo that.
    failover.stack.azure.activeDirectoryDns.edit(ZONE, "egress", { addresses: ["10.50.0.99"], ttl: 60 });
    const refused = await runStep(failover, restore);
    expect(refused).toMatchObject({ status: "failed", retryable: false });
    expect(refused.status === "failed" && refused.reason).toContain("it holds 10.50.0.99 (TTL 60 s), not 10.50.0.10 (TTL 60 s); nothing was written");
    expect(failover.stack.azure.activeDirectoryDns.record(ZONE, "egress")).toEqual({ addresses: ["10.50.0.99"], ttl: 60 });
  });

  it("the dry run shows each name old -> new without a Run Command, and the last nightly check's network findings with their advice", async () => {
    const failover = await runFailover({ request: edgeOnly });
    const restore = restoreAdDnsStepsFor(estate, "edge", [], failover.runId);
    const update = planFailover(estate, edgeOnly).steps.filter((s) => s.kind === "updateAdDns");
    // The last nightly check found the DC without a forwarder for the Private DNS zone.
    const report = evaluateHealth(
      estate,
      {
        ...buildSnapshot(estate),
        domainControllerDns: readOk({
          records: { "corp.contoso.com/egress": ON_PREMISES },
          forwarders: [{ zone: "corp.contoso.internal", masterServers: null, resolved: { error: "DNS name does not exist" } }],
        }),
      },
      { reportId: "health-last", trigger: "timer", isPastDue: false, startedAt: NOW, finishedAt: NOW },
    );
    const commands = failover.stack.azure.stats().byOperation["VirtualMachines_RunCommand"];
    const preview = await previewAdDns(
      { runs: failover.stack.store, latestHealthReport: () => Promise.resolve(report) },
      { mode: "unplanned", steps: [...update, ...restore], notes: [] },
    );
    expect(preview.adDnsChanges.map(({ record, from, to, ttl }) => ({ record, from, to, ttl }))).toEqual([
      { record: "egress.corp.contoso.com", from: null, to: ["10.50.0.10"], ttl: 60 },
      { record: "egress.corp.contoso.com", from: ["10.50.0.10"], to: ["192.168.100.4"], ttl: 60 },
    ]);
    expect(preview.adDnsChanges[0]?.detail).toContain("the nightly check at 2026-03-01T02:00:00.000Z found: Points at the primary site (192.168.100.4)");
    expect(preview.networkFindings.map((f) => [f.check, f.status])).toEqual([
      ["estate/dns/activedirectory/corp.contoso.com/api", "unknown"],
      ["estate/dns/activedirectory/corp.contoso.com/web", "unknown"],
      ["estate/dnsForwarder/corp.contoso.internal", "red"],
    ]);
    expect(preview.networkFindings[2]?.advice[0]).toContain("Add-DnsServerConditionalForwarderZone");
    // Nothing ran on the DC for the preview.
    expect(failover.stack.azure.stats().byOperation["VirtualMachines_RunCommand"]).toBe(commands);
  });
});

/**
 * Drives one step's executor to its end as the engine would: its journal patches kept, the simulated
 * clock moved over each wait. The deps are the product's: the run store on Azurite, Run Command through
 * the real Compute client against the simulated Azure.
 */
async function runStep(run: HarnessRun, step: ReturnType<typeof restoreAdDnsStepsFor>[number]): Promise<StepOutcome> {
  const { stack } = run;
  const compute = new ComputeManagementClient(stack.azure.credential, estate.subscriptionId, { httpClient: stack.azure.httpClient });
  const deps = { estate, store: stack.store, guest: createGuestCommands({ client: compute }), clock: stack.clock } as Partial<EngineDeps> as EngineDeps;
  let journal: StepJournal = {};
  for (let turn = 0; turn < 20; turn++) {
    const context: StepContext<typeof step> = {
      step,
      run: run.run,
      journal,
      deps,
      timing: DEFAULT_TIMING,
      saveJournal: (patch) => Promise.resolve(void (journal = patchJournal(journal, patch))),
    };
    const outcome = await executeRestoreAdDns(context);
    if (outcome.status !== "waiting") return outcome;
    if (outcome.journal) journal = patchJournal(journal, outcome.journal);
    stack.clock.advanceTo(new Date(stack.clock.now().getTime() + outcome.afterSeconds * 1000));
  }
  throw new Error("the step never finished");
}
