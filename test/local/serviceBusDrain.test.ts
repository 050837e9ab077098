import { ServiceBusClient } from "@azure/service-bus";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { OutgoingMessage, StepMessage } from "../../shared/ports/queue.js";
import { readTriggerSettings } from "../../local/serviceBus/hostSettings.js";
import { startLocalServiceBus, type LocalServiceBus, type LocalServiceBusOptions } from "../../local/serviceBus/localServiceBus.js";
import { SimulatedClock } from "../../local/simulatedClock.js";

const START = new Date("2026-11-25T02:00:00Z");
const running: LocalServiceBus[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((bus) => bus.stop()));
});

async function start(options: Partial<LocalServiceBusOptions> & { realTime?: boolean } = {}): Promise<{ bus: LocalServiceBus; clock: SimulatedClock }> {
  const clock = new SimulatedClock(START, { realTime: options.realTime ?? false });
  const bus = await startLocalServiceBus({ clock, maxDeliveryCount: 10, duplicateWindowMs: 3_600_000, ...options });
  running.push(bus);
  return { bus, clock };
}

const step = (stepId: string, deliverAt?: Date): OutgoingMessage => ({
  messageId: `r:${stepId}`,
  body: { runId: "r", stepId, seq: 0 },
  ...(deliverAt ? { deliverAt } : {}),
});
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function hostJson(serviceBus: Record<string, unknown>): Promise<string> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), "host-json-")), "host.json");
  await writeFile(file, JSON.stringify({ version: "2.0", extensions: { serviceBus } }));
  return file;
}

describe("the trigger emulator and the drain driver", () => {
  it("reads the trigger settings from host.json", async () => {
    expect(await readTriggerSettings()).toEqual({
      maxConcurrentCalls: 16,
      autoCompleteMessages: true,
      maxAutoLockRenewalDurationMs: 300_000,
      prefetchCount: 0,
    });
    expect(await readTriggerSettings(await hostJson({ maxAutoLockRenewalDuration: "1.02:03:04.5" }))).toMatchObject({
      maxAutoLockRenewalDurationMs: 93_784_500,
      maxConcurrentCalls: 16,
    });
    await expect(readTriggerSettings(await hostJson({ maxConcurrentCalls: 0, maxAutoLockRenewalDuration: "soon" }))).rejects.toThrow(
      /maxConcurrentCalls.*maxAutoLockRenewalDuration|maxAutoLockRenewalDuration.*maxConcurrentCalls/s,
    );
  });

  it("refuses host.json settings it does not emulate", async () => {
    const { bus } = await start({ hostJson: await hostJson({ autoCompleteMessages: false }) });
    await bus.send([step("a")]);
    await expect(bus.drain({ concurrency: 1, handler: () => Promise.resolve(), onDeadLetter: () => Promise.resolve() })).rejects.toThrow(
      /autoCompleteMessages=false is not emulated/,
    );
  });

  it("runs at most `concurrency` handlers at once", async () => {
    const { bus } = await start();
    await bus.send(Array.from({ length: 40 }, (_, i) => step(`s${i}`)));
    let now = 0;
    let most = 0;
    await bus.drain({
      concurrency: 5,
      handler: async () => {
        most = Math.max(most, ++now);
        await sleep(2);
        now--;
      },
      onDeadLetter: () => Promise.resolve(),
    });
    expect(most).toBe(5);
    expect(bus.stats.completed).toBe(40);
  });

  it("renews the lock of a handler that outlasts it, as the host does (real time, short lock)", async () => {
    const { bus } = await start({ realTime: true, lockDurationMs: 300 });
    await bus.send([step("slow")]);
    const seen: string[] = [];
    await bus.drain({
      concurrency: 1,
      handler: async (m) => {
        seen.push(m.stepId);
        await sleep(900);
      },
      onDeadLetter: () => Promise.resolve(),
    });
    expect(seen).toEqual(["slow"]);
    expect(bus.stats).toMatchObject({ delivered: 1, lockExpired: 0, completed: 1 });
  });

  it("keeps the lock of a running handler when the simulated clock jumps past it, up to maxAutoLockRenewalDuration", async () => {
    // Another queue's drain skipping idle time moves the shared clock while a handler runs: the host would have renewed the lock on the way.
    const jumped = async (minutes: number): Promise<{ calls: number; stats: LocalServiceBus["stats"] }> => {
      const { bus, clock } = await start();
      await bus.send([step("slow")]);
      let calls = 0;
      await bus.drain({
        concurrency: 2,
        handler: async () => {
          if (++calls > 1) return;
          clock.advanceTo(new Date(clock.now().getTime() + minutes * 60_000));
          await sleep(50);
        },
        onDeadLetter: () => Promise.resolve(),
      });
      return { calls, stats: bus.stats };
    };
    // host.json renews for 5 min; the lock lasts 60 s.
    expect(await jumped(4)).toMatchObject({ calls: 1, stats: { delivered: 1, lockExpired: 0, completed: 1 } });
    expect(await jumped(6)).toMatchObject({ calls: 2, stats: { delivered: 2, lockExpired: 1, completed: 1 } });
  });

  it("without lock renewal, a handler that outlasts its lock sees the message again", async () => {
    const { bus } = await start({ realTime: true, lockDurationMs: 300, hostJson: await hostJson({ maxAutoLockRenewalDuration: "00:00:00" }) });
    await bus.send([step("slow")]);
    let calls = 0;
    await bus.drain({
      concurrency: 2,
      handler: async () => {
        if (++calls === 1) await sleep(900);
      },
      onDeadLetter: () => Promise.resolve(),
    });
    expect(calls).toBe(2);
    expect(bus.stats).toMatchObject({ delivered: 2, lockExpired: 1, completed: 1 });
  });

  it("stops with the dead-letter function's error", async () => {
    const { bus } = await start({ maxDeliveryCount: 1 });
    await bus.send([step("poison")]);
    await expect(
      bus.drain({
        concurrency: 1,
        handler: () => Promise.reject(new Error("boom")),
        onDeadLetter: () => Promise.reject(new Error("cannot record the failure")),
      }),
    ).rejects.toThrow("cannot record the failure");
  });

  it("hands malformed bodies to neither function: they fail validation and end in the dead-letter queue", async () => {
    const { bus } = await start({ maxDeliveryCount: 2 });
    const client = new ServiceBusClient(bus.connectionString);
    await client.createSender(bus.name).sendMessages({ messageId: "junk", body: { runId: "r" }, contentType: "application/json" });
    await client.close();
    const handled: StepMessage[] = [];
    const drained = bus.drain({ concurrency: 1, handler: (m) => Promise.resolve(void handled.push(m)), onDeadLetter: () => Promise.resolve() });
    await expect(drained).rejects.toThrow(/malformed step message/);
    expect(handled).toEqual([]);
    expect(bus.deadLetters).toMatchObject([{ messageId: "junk", reason: "MaxDeliveryCountExceeded" }]);
  });

  it("fails instead of hanging when a receiver outside the drain holds a lock", async () => {
    const { bus } = await start({ stallTimeoutMs: 300 });
    await bus.send([step("held")]);
    const client = new ServiceBusClient(bus.connectionString);
    try {
      await client.createReceiver(bus.name).receiveMessages(1, { maxWaitTimeInMs: 1_000 });
      await expect(bus.drain({ concurrency: 1, handler: () => Promise.resolve(), onDeadLetter: () => Promise.resolve() })).rejects.toThrow(/stalled.*1 locked/);
    } finally {
      await client.close();
    }
  });

  it("serves several queues in one namespace, each drained on its own", async () => {
    const { bus, clock } = await start();
    const checks = await bus.addQueue({
      name: "incident-checks",
      maxDeliveryCount: 10,
      duplicateWindowMs: 3_600_000,
      parse: (body) => body as { checkId: string },
    });
    await checks.send([{ messageId: "c1", body: { checkId: "c1" }, deliverAt: new Date(START.getTime() + 120_000) }]);
    await bus.send([step("a")]);
    const got: string[] = [];
    await checks.drain({ concurrency: 1, handler: (m) => Promise.resolve(void got.push(m.checkId)), onDeadLetter: () => Promise.resolve() });
    expect(got).toEqual(["c1"]);
    expect(clock.now().getTime() - START.getTime()).toBe(120_000);
    expect(bus.size).toBe(1);
  });
});
