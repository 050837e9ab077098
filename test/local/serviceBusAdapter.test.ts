import { ServiceBusClient } from "@azure/service-bus";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createServiceBusQueue } from "../../shared/adapters/serviceBusQueue.js";
import { isDrError } from "../../shared/ports/errors.js";
import type { OutgoingMessage, StepMessage } from "../../shared/ports/queue.js";
import { startLocalServiceBus, type LocalServiceBus } from "../../local/serviceBus/localServiceBus.js";
import { SimulatedClock } from "../../local/simulatedClock.js";

const START = new Date("2026-11-25T02:00:00Z");
const MAX_DELIVERIES = 4;

let clock: SimulatedClock;
let bus: LocalServiceBus;

beforeEach(async () => {
  clock = new SimulatedClock(START, { realTime: false });
  bus = await startLocalServiceBus({ clock, maxDeliveryCount: MAX_DELIVERIES, duplicateWindowMs: 2 * 3_600_000 });
});

afterEach(() => bus.stop());

const step = (stepId: string, seq = 0, deliverAt?: Date): OutgoingMessage => ({
  messageId: `run-1:${stepId}:${seq}`,
  body: { runId: "run-1", stepId, seq },
  ...(deliverAt ? { deliverAt } : {}),
});

/** Drains with a handler that records what it got and when (simulated time). */
async function drainRecording(handle: (message: StepMessage) => Promise<void> = () => Promise.resolve()) {
  const handled: { message: StepMessage; at: number }[] = [];
  const deadLettered: { message: StepMessage; reason: string }[] = [];
  await bus.drain({
    concurrency: 16,
    handler: async (message) => {
      handled.push({ message, at: clock.now().getTime() });
      await handle(message);
    },
    onDeadLetter: (message, reason) => Promise.resolve(void deadLettered.push({ message, reason })),
  });
  return { handled, deadLettered };
}

describe("the production Service Bus adapter, through the real SDK against the local peer", () => {
  it("drops deterministic message ids sent again as duplicates", async () => {
    await bus.send([step("verify-dc"), step("failover:DC01")]);
    await bus.send([step("verify-dc"), step("failover:DC01", 0, new Date(START.getTime() + 60_000))]);
    const { handled } = await drainRecording();
    expect(handled.map((h) => h.message.stepId).sort()).toEqual(["failover:DC01", "verify-dc"]);
    expect(bus.stats).toMatchObject({ sent: 2, duplicatesDropped: 2, delivered: 2, completed: 2 });
  });

  it("delivers scheduled follow-ups at their time on the simulated clock, moving it only when idle", async () => {
    const poll = (seq: number, afterMs: number) => step("failover:API01", seq, new Date(clock.now().getTime() + afterMs));
    await bus.send([step("failover:API01")]);
    const { handled } = await drainRecording(async (message) => {
      // Each wake-up schedules the next poll 15 s on, and one immediate message alongside, in one call.
      if (message.stepId === "failover:API01" && message.seq < 3) await bus.send([poll(message.seq + 1, 15_000), step(`note-${message.seq}`)]);
    });
    const polls = handled.filter((h) => h.message.stepId === "failover:API01").map((h) => (h.at - START.getTime()) / 1000);
    expect(polls).toEqual([0, 15, 30, 45]);
    expect(handled).toHaveLength(7);
    expect(clock.now().getTime() - START.getTime()).toBe(45_000);
    expect(bus.stats).toMatchObject({ scheduled: 3, completed: 7 });
  });

  it("redelivers a message whose worker crashed holding it, once the lock expires", async () => {
    await bus.send([step("commit:WEB01")]);
    const crashed = new ServiceBusClient(bus.connectionString);
    const [taken] = await crashed.createReceiver(bus.name).receiveMessages(1, { maxWaitTimeInMs: 1_000 });
    expect(taken?.messageId).toBe("run-1:commit:WEB01:0");
    await crashed.close();

    const { handled } = await drainRecording();
    expect(handled).toEqual([{ message: { runId: "run-1", stepId: "commit:WEB01", seq: 0 }, at: START.getTime() + 60_000 }]);
    expect(bus.stats).toMatchObject({ delivered: 2, lockExpired: 1, completed: 1 });
  });

  it("abandons on a handler exception and dead-letters after the max delivery count, telling the dead-letter function why", async () => {
    await bus.send([step("checks:API01"), step("checks:API02")]);
    const { handled, deadLettered } = await drainRecording((message) =>
      message.stepId === "checks:API01" ? Promise.reject(new Error("worker crashed")) : Promise.resolve(),
    );
    expect(handled.filter((h) => h.message.stepId === "checks:API01")).toHaveLength(MAX_DELIVERIES);
    expect(deadLettered).toEqual([
      {
        message: { runId: "run-1", stepId: "checks:API01", seq: 0 },
        reason: `MaxDeliveryCountExceeded: Message could not be consumed after ${MAX_DELIVERIES} delivery attempts.`,
      },
    ]);
    expect(bus.deadLetters).toMatchObject([{ messageId: "run-1:checks:API01:0", reason: "MaxDeliveryCountExceeded" }]);
    expect(bus.stats).toMatchObject({ abandoned: MAX_DELIVERIES, deadLettered: 1, completed: 1 });
    expect(bus.size).toBe(0);
  });

  it("splits a send that exceeds the link's size limit into several batches", async () => {
    const padded = Array.from({ length: 12 }, (_, i) => ({ ...step(`big-${i}`), body: { runId: "run-1", stepId: `big-${i}-${"x".repeat(40_000)}`, seq: 0 } }));
    await bus.send(padded);
    const { handled } = await drainRecording();
    expect(handled).toHaveLength(12);
  });

  it("translates the service's refusals into DrErrors", async () => {
    const client = new ServiceBusClient(bus.connectionString, { retryOptions: { maxRetries: 0 } });
    try {
      const missing = createServiceBusQueue({ sender: client.createSender("no-such-queue") });
      const error = await missing.send([step("x")]).catch((e: unknown) => e);
      expect(isDrError(error) && error.code).toBe("NotFound");
      const tooBig = await bus.send([{ ...step("huge"), body: { runId: "run-1", stepId: "x".repeat(300_000), seq: 0 } }]).catch((e: unknown) => e);
      expect(isDrError(tooBig) && tooBig.code).toBe("InvalidInput");
    } finally {
      await client.close();
    }
  });
});
