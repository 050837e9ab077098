import { ServiceBusClient, type ServiceBusReceivedMessage } from "@azure/service-bus";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { persistQueues } from "../../local/sandbox/queueStateFile.js";
import { startLocalNamespace, type LocalNamespace, type LocalQueue } from "../../local/serviceBus/localServiceBus.js";
import { SimulatedClock } from "../../local/simulatedClock.js";

const START = new Date("2026-11-25T02:00:00Z");
const QUEUE = "steps";
const LOCK_MS = 60_000;
const MAX_DELIVERIES = 3;

const open: { namespace: LocalNamespace; client: ServiceBusClient }[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const { namespace, client } of open.splice(0)) {
    await client.close();
    await namespace.stop();
  }
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** One "process": a namespace with the queue on a clock at `at`, its state kept in `file`. */
async function start(
  file: string,
  at: Date,
): Promise<{ queue: LocalQueue<unknown>; client: ServiceBusClient; clock: SimulatedClock; saved: Awaited<ReturnType<typeof persistQueues>> }> {
  const clock = new SimulatedClock(at, { realTime: false });
  const namespace = await startLocalNamespace({ clock });
  const queue = await namespace.addQueue<unknown>({
    name: QUEUE,
    maxDeliveryCount: MAX_DELIVERIES,
    duplicateWindowMs: 60 * 60_000,
    lockDurationMs: LOCK_MS,
    parse: (body) => body,
  });
  const client = new ServiceBusClient(namespace.connectionString);
  open.push({ namespace, client });
  const saved = await persistQueues(file, [queue], (error) => {
    throw error;
  });
  return { queue, client, clock, saved };
}

async function receiveOne(client: ServiceBusClient): Promise<ServiceBusReceivedMessage | undefined> {
  const receiver = client.createReceiver(QUEUE);
  const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 });
  if (message) await receiver.completeMessage(message);
  await receiver.close();
  return message;
}

describe("the Service Bus peer's state, saved and restored", () => {
  it("brings back active, scheduled (at their time) and dead-lettered messages, a locked one unlocked with its delivery count, the sequence numbers and the duplicate history", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "sb-state-"));
    dirs.push(dir);
    const file = path.join(dir, "servicebus", "queues.json");
    const first = await start(file, START);
    const sender = first.client.createSender(QUEUE);
    const later = new Date(START.getTime() + 10 * 60_000);
    await sender.sendMessages([
      { messageId: "locked", body: { n: 1 } },
      { messageId: "active", body: { n: 2 } },
      { messageId: "scheduled", body: { n: 3 }, scheduledEnqueueTimeUtc: later },
      { messageId: "poison", body: { n: 4 } },
    ]);
    const receiver = first.client.createReceiver(QUEUE);
    const [locked] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 });
    expect(locked).toMatchObject({ messageId: "locked", deliveryCount: 0 });
    // "poison" is taken after "active": abandon "active" each time, dead-letter "poison".
    const [active, poison] = await receiver.receiveMessages(2, { maxWaitTimeInMs: 300 });
    expect([active?.messageId, poison?.messageId]).toEqual(["active", "poison"]);
    await receiver.abandonMessage(active as ServiceBusReceivedMessage);
    await receiver.deadLetterMessage(poison as ServiceBusReceivedMessage, { deadLetterReason: "Unparseable", deadLetterErrorDescription: "not a step" });
    await first.saved.flush();
    // "Stop" while "locked" is still locked: the receiver (and its process) are gone.
    first.saved.stop();
    await first.client.close();

    const onDisk = JSON.parse(await readFile(file, "utf8")) as {
      queues: Record<string, { queue: { messages: { messageId: string; state: string; deliveryCount: number }[] } }>;
    };
    expect(onDisk.queues[QUEUE]?.queue.messages.map((m) => [m.messageId, m.state, m.deliveryCount])).toEqual([
      ["locked", "locked", 1],
      ["active", "active", 1],
      ["scheduled", "scheduled", 0],
    ]);

    const second = await start(file, first.clock.now());
    expect(second.saved.restoredMessages).toBe(4); // three in the queue, one in its dead-letter queue
    expect(second.queue.stats).toMatchObject({ sent: 4, delivered: 3, abandoned: 1, deadLettered: 1, lockExpired: 1 });
    // The lost lock: available at once (not after the lock duration), its delivery counted.
    const again = await receiveOne(second.client);
    expect(again).toMatchObject({ messageId: "locked", body: { n: 1 }, deliveryCount: 1 });
    expect(await receiveOne(second.client)).toMatchObject({ messageId: "active", body: { n: 2 }, deliveryCount: 1 });
    // The scheduled one keeps its time.
    expect(await receiveOne(second.client)).toBeUndefined();
    const peeked = await second.client.createReceiver(QUEUE).peekMessages(5);
    expect(peeked.map((m) => [m.messageId, m.state, m.scheduledEnqueueTimeUtc?.toISOString()])).toEqual([["scheduled", "scheduled", later.toISOString()]]);
    second.clock.advanceTo(later);
    second.queue.peer.refresh();
    expect(await receiveOne(second.client)).toMatchObject({ messageId: "scheduled", body: { n: 3 }, enqueuedTimeUtc: later });
    expect(second.queue.deadLetters).toEqual([{ messageId: "poison", message: { n: 4 }, reason: "Unparseable", description: "not a step" }]);
    const deadLettered = await second.client.createReceiver(QUEUE, { subQueueType: "deadLetter" }).receiveMessages(1, { maxWaitTimeInMs: 300 });
    expect(deadLettered.map((m) => [m.messageId, m.deadLetterReason, m.deliveryCount])).toEqual([["poison", "Unparseable", 1]]);

    // Sequence numbers go on from where they were; an id sent before the restart is still a duplicate.
    const secondSender = second.client.createSender(QUEUE);
    await secondSender.sendMessages([
      { messageId: "active", body: { n: 5 } },
      { messageId: "new", body: { n: 6 } },
    ]);
    expect(second.queue.stats.duplicatesDropped).toBe(1);
    const fresh = await receiveOne(second.client);
    expect(fresh).toMatchObject({ messageId: "new" });
    expect(Number(fresh?.sequenceNumber)).toBe(5);
  });

  it("dead-letters a message whose lost lock was its last delivery, as lock expiry does", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "sb-state-"));
    dirs.push(dir);
    const file = path.join(dir, "queues.json");
    const first = await start(file, START);
    await first.client.createSender(QUEUE).sendMessages({ messageId: "m", body: 1 });
    const receiver = first.client.createReceiver(QUEUE);
    for (let i = 1; i < MAX_DELIVERIES; i++) {
      const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 });
      await receiver.abandonMessage(m as ServiceBusReceivedMessage);
    }
    await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 }); // the last delivery, never settled
    await first.saved.flush();
    first.saved.stop();

    const second = await start(file, first.clock.now());
    expect(second.queue.size).toBe(0);
    expect(second.queue.deadLetters.map((d) => [d.messageId, d.reason])).toEqual([["m", "MaxDeliveryCountExceeded"]]);
  });

  it("saves by itself shortly after a change, without a flush", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "sb-state-"));
    dirs.push(dir);
    const file = path.join(dir, "queues.json");
    const first = await start(file, START);
    await first.client.createSender(QUEUE).sendMessages({ messageId: "m", body: 1 });
    const deadline = Date.now() + 5_000;
    let text = "";
    while (!text.includes('"messageId":"m"') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      text = await readFile(file, "utf8").catch(() => "");
    }
    expect(text).toContain('"messageId":"m"');
    first.saved.stop();
  });
});
