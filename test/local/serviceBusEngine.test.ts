import { randomBytes } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { createAzurePorts } from "../../shared/adapters/azurePorts.js";
import { createTableRunStore } from "../../shared/adapters/tableRunStore.js";
import { createEngine } from "../../shared/runs/engine.js";
import type { BoundaryHook } from "../../shared/runs/engineDeps.js";
import type { RunEvent } from "../../shared/ports/notifier.js";
import { azuriteTables } from "../../local/azurite.js";
import { QUEUE_SETTINGS } from "../../local/localStack.js";
import { startLocalServiceBus } from "../../local/serviceBus/localServiceBus.js";
import { createSimulatedAzure } from "../../local/simulated-azure/simulatedAzure.js";
import { SimulatedClock } from "../../local/simulatedClock.js";
import { sampleEstate } from "../helpers.js";

const estate = sampleEstate();
const allVms = estate.vms.map((vm) => vm.name);

/**
 * A whole failover through the real engine with every step message sent by the production
 * adapter over the real SDK to the peer, and delivered by the trigger emulator.
 */
async function runThroughPeer(options: { boundary?: BoundaryHook } = {}) {
  const clock = new SimulatedClock(new Date("2026-11-25T02:00:00Z"), { realTime: false });
  const azure = createSimulatedAzure({ estate, clock });
  const ports = createAzurePorts({
    credential: azure.credential,
    subscriptionId: estate.subscriptionId,
    httpClient: azure.httpClient,
    retryOptions: { maxRetries: 3, retryDelayInMs: 5, maxRetryDelayInMs: 50 },
  });
  const store = await createTableRunStore(azuriteTables(inject("tableEndpoint"), `t${randomBytes(4).toString("hex")}`));
  const bus = await startLocalServiceBus({ clock, maxDeliveryCount: QUEUE_SETTINGS.maxDeliveryCount, duplicateWindowMs: QUEUE_SETTINGS.duplicateWindowMs });
  try {
    const events: RunEvent[] = [];
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const engine = createEngine({
      estate,
      store,
      queue: bus,
      clock,
      ...ports,
      probe: azure.probe,
      directory: azure.directory,
      notifier: { notify: (event) => Promise.resolve(void events.push(event)) },
      log,
      timing: { retryBaseSeconds: 5, retryCapSeconds: 30 },
      ...(options.boundary ? { boundary: options.boundary } : {}),
    });
    const { runId } = await engine.startRun({ mode: "unplanned", scope: { kind: "all" } }, "test");
    await bus.drain({
      handler: (message) => engine.handleStepMessage(message),
      onDeadLetter: (message, reason) => engine.handleDeadLetter(message, reason),
      concurrency: QUEUE_SETTINGS.maxConcurrentCalls,
    });
    const run = (await store.getRun(runId))?.value;
    const steps = await store.listSteps(runId);
    return { run, steps, events, stats: { ...bus.stats }, deadLetters: bus.deadLetters, failoverCalls: azure.stats().failoverCalls };
  } finally {
    await bus.stop();
  }
}

describe("the engine over the local Service Bus peer", () => {
  it("fails the whole site over with every step message through the real SDK", async () => {
    const result = await runThroughPeer();
    expect(result.run?.status).toBe("succeeded");
    expect(result.steps.every((s) => s.status === "succeeded")).toBe(true);
    expect(allVms.map((vm) => result.failoverCalls[vm])).toEqual(allVms.map(() => 1));
    expect(result.stats).toMatchObject({ abandoned: 0, deadLettered: 0, lockExpired: 0 });
    expect(result.stats.completed).toBe(result.stats.sent);
    expect(result.stats.scheduled).toBeGreaterThan(0);
  });

  it("marks the run failed when a step's message is dead-lettered after the max delivery count", async () => {
    const result = await runThroughPeer({
      boundary: (name, context) => {
        if (name === "journalSaving" && context.stepId === "checks:API01") throw new Error("worker crashed");
      },
    });
    expect(result.run?.status).toBe("failed");
    expect(result.steps.find((s) => s.step.id === "checks:API01")).toMatchObject({
      status: "failed",
      error: expect.stringContaining("MaxDeliveryCountExceeded"),
    });
    expect(result.deadLetters).toMatchObject([{ message: { stepId: "checks:API01" }, reason: "MaxDeliveryCountExceeded" }]);
    expect(result.stats.abandoned).toBe(QUEUE_SETTINGS.maxDeliveryCount);
    expect(result.events.at(-1)).toMatchObject({ kind: "runFailed" });
  });
});
