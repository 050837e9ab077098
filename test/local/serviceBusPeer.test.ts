import { isServiceBusError, ServiceBusClient, type ServiceBusReceivedMessage } from "@azure/service-bus";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startServiceBusPeer, type ServiceBusPeer } from "../../local/serviceBus/peer/serviceBusPeer.js";
import { SimulatedClock } from "../../local/simulatedClock.js";

const START = new Date("2026-11-25T02:00:00Z");
const QUEUE = "steps";
const LOCK_MS = 60_000;

let clock: SimulatedClock;
let peer: ServiceBusPeer;
let client: ServiceBusClient;

beforeEach(async () => {
  clock = new SimulatedClock(START, { realTime: false });
  peer = await startServiceBusPeer({ clock, queues: [{ name: QUEUE, maxDeliveryCount: 3, duplicateWindowMs: 10 * 60_000, lockDurationMs: LOCK_MS }] });
  client = new ServiceBusClient(peer.connectionString);
});

afterEach(async () => {
  await client.close();
  await peer.close();
});

/** Moves simulated time and lets the peer act on it (scheduled messages, lock expiry). */
function advance(ms: number): void {
  clock.advanceTo(new Date(clock.now().getTime() + ms));
  peer.refresh();
}

async function receive(count: number, subQueue?: "deadLetter"): Promise<ServiceBusReceivedMessage[]> {
  const receiver = client.createReceiver(QUEUE, subQueue ? { subQueueType: subQueue } : {});
  const messages = await receiver.receiveMessages(count, { maxWaitTimeInMs: 300 });
  for (const message of messages) await receiver.completeMessage(message);
  await receiver.close();
  return messages;
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isServiceBusError(error)) return { code: error.code, message: error.message };
    return { code: "not a ServiceBusError", message: error instanceof Error ? error.message : String(error) };
  }
  throw new Error("expected the call to fail");
}

describe("local Service Bus peer, through the real @azure/service-bus SDK", () => {
  it("authenticates with a SAS token on $cbs, takes a batch, and delivers under peek-lock with the broker's annotations", async () => {
    const sender = client.createSender(QUEUE);
    await sender.sendMessages([
      { messageId: "a", body: { n: 1 }, contentType: "application/json", applicationProperties: { kind: "step" } },
      { messageId: "b", body: { n: 2 }, contentType: "application/json" },
    ]);
    const receiver = client.createReceiver(QUEUE);
    const [first, second] = await receiver.receiveMessages(2, { maxWaitTimeInMs: 300 });
    expect(first).toMatchObject({
      messageId: "a",
      body: { n: 1 },
      contentType: "application/json",
      applicationProperties: { kind: "step" },
      deliveryCount: 0,
      enqueuedTimeUtc: START,
    });
    expect(String(first?.sequenceNumber)).toBe("1");
    expect(String(second?.sequenceNumber)).toBe("2");
    expect(first?.lockToken).toMatch(/^[0-9a-f-]{36}$/);
    // Locked-until is on the receiver's wall clock (the SDK renews from Date.now()): about one lock duration ahead.
    expect((first?.lockedUntilUtc?.getTime() ?? 0) - Date.now()).toBeGreaterThan(LOCK_MS - 5_000);
    await receiver.completeMessage(first as ServiceBusReceivedMessage);
    await receiver.completeMessage(second as ServiceBusReceivedMessage);
    expect(peer.queue(QUEUE).size).toBe(0);
  });

  it("refuses a token signed with another key", async () => {
    const wrongKey = peer.connectionString.replace("SharedAccessKey=SAS_KEY_VALUE", "SharedAccessKey=not-the-key");
    const stranger = new ServiceBusClient(wrongKey, { retryOptions: { maxRetries: 0, timeoutInMs: 5_000 } });
    try {
      expect(await failure(stranger.createSender(QUEUE).sendMessages({ messageId: "x", body: 1 }))).toMatchObject({ code: "UnauthorizedAccess" });
    } finally {
      await stranger.close();
    }
  });

  it("drops a repeated message id inside the duplicate window, scheduled messages and batches included", async () => {
    const sender = client.createSender(QUEUE);
    await sender.sendMessages({ messageId: "same", body: 1 });
    await sender.sendMessages([
      { messageId: "same", body: 2 },
      { messageId: "other", body: 3 },
      { messageId: "other", body: 4 },
    ]);
    const [scheduled] = await sender.scheduleMessages({ messageId: "later", body: 5 }, new Date(START.getTime() + 1_000));
    const [again] = await sender.scheduleMessages({ messageId: "later", body: 6 }, new Date(START.getTime() + 2_000));
    await sender.sendMessages({ messageId: "later", body: 7, scheduledEnqueueTimeUtc: new Date(START.getTime() + 3_000) });
    expect(String(again)).toBe(String(scheduled)); // the duplicate is answered with the original's sequence number
    expect(peer.queue(QUEUE).stats).toMatchObject({ sent: 3, duplicatesDropped: 4 });
    advance(5_000);
    expect((await receive(10)).map((m) => m.body as number)).toEqual([1, 3, 5]);

    advance(10 * 60_000); // past the window, the id is new again
    await sender.sendMessages({ messageId: "same", body: 8 });
    expect((await receive(1)).map((m) => m.body as number)).toEqual([8]);
  });

  it("delivers a scheduled message no earlier than its enqueue time on the simulated clock, and can cancel one", async () => {
    const sender = client.createSender(QUEUE);
    const at = new Date(START.getTime() + 30_000);
    await sender.sendMessages({ messageId: "wake", body: "w", scheduledEnqueueTimeUtc: at });
    const [cancelled] = await sender.scheduleMessages({ messageId: "never", body: "n" }, at);
    const receiver = client.createReceiver(QUEUE);
    const peeked = await receiver.peekMessages(5);
    expect(peeked.map((m) => [m.messageId, m.state])).toEqual([
      ["wake", "scheduled"],
      ["never", "scheduled"],
    ]);
    await sender.cancelScheduledMessages(cancelled as NonNullable<typeof cancelled>);
    await receiver.close();

    expect(await receive(1)).toEqual([]);
    advance(29_999);
    expect(await receive(1)).toEqual([]);
    advance(1);
    const [delivered] = await receive(5);
    expect(delivered).toMatchObject({ messageId: "wake", body: "w", scheduledEnqueueTimeUtc: at, enqueuedTimeUtc: at });
    expect(peer.queue(QUEUE).size).toBe(0);
  });

  it("redelivers an abandoned message and a message whose lock expired, counting deliveries; a late settlement loses the lock", async () => {
    await client.createSender(QUEUE).sendMessages({ messageId: "m", body: 1 });
    const receiver = client.createReceiver(QUEUE);
    const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 });
    await receiver.abandonMessage(first as ServiceBusReceivedMessage);
    const [second] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 });
    expect(second?.deliveryCount).toBe(1);
    const renewed = await receiver.renewMessageLock(second as ServiceBusReceivedMessage);
    expect(renewed.getTime() - Date.now()).toBeGreaterThan(LOCK_MS - 5_000);

    advance(LOCK_MS);
    expect(await failure(receiver.completeMessage(second as ServiceBusReceivedMessage))).toMatchObject({ code: "MessageLockLost" });
    const [third] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 });
    expect(third).toMatchObject({ messageId: "m", deliveryCount: 2 });
    expect(peer.queue(QUEUE).stats).toMatchObject({ abandoned: 1, lockExpired: 1, delivered: 3 });
    await receiver.close();
  });

  it("keeps a crashed receiver's lock until it expires, then redelivers", async () => {
    await client.createSender(QUEUE).sendMessages({ messageId: "m", body: 1 });
    const crashing = new ServiceBusClient(peer.connectionString);
    const [taken] = await crashing.createReceiver(QUEUE).receiveMessages(1, { maxWaitTimeInMs: 300 });
    expect(taken?.messageId).toBe("m");
    await crashing.close(); // the worker dies without settling
    expect(peer.queue(QUEUE).snapshot()).toMatchObject({ active: 0, lockedLive: 0, lockedOrphaned: 1, nextDeadline: START.getTime() + LOCK_MS });
    expect(await receive(1)).toEqual([]);
    advance(LOCK_MS);
    expect(await receive(1)).toMatchObject([{ messageId: "m", deliveryCount: 1 }]);
  });

  it("dead-letters at the max delivery count with the reason, and on request; the dead-letter queue is read with a receiver", async () => {
    const sender = client.createSender(QUEUE);
    await sender.sendMessages([
      { messageId: "poison", body: 1 },
      { messageId: "bad", body: 2 },
    ]);
    const receiver = client.createReceiver(QUEUE);
    for (let delivery = 1; delivery <= 3; delivery++) {
      const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 });
      expect(message?.messageId).toBe("poison");
      await receiver.abandonMessage(message as ServiceBusReceivedMessage);
    }
    const [bad] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 });
    await receiver.deadLetterMessage(bad as ServiceBusReceivedMessage, { deadLetterReason: "Malformed", deadLetterErrorDescription: "no step id" });
    await receiver.close();

    const dead = await receive(5, "deadLetter");
    expect(dead.map((m) => [m.messageId, m.deadLetterReason, m.deadLetterErrorDescription])).toEqual([
      ["poison", "MaxDeliveryCountExceeded", "Message could not be consumed after 3 delivery attempts."],
      ["bad", "Malformed", "no step id"],
    ]);
    expect(peer.queue(QUEUE).deadLetterLog.map((r) => r.reason)).toEqual(["MaxDeliveryCountExceeded", "Malformed"]);
  });

  it("rejects what Service Bus rejects, with its error conditions", async () => {
    const sender = client.createSender(QUEUE);
    // The SDK checks message ids itself; an AMQP message goes past that check, so the peer must refuse it.
    expect(await failure(sender.sendMessages({ body: "x", bodyType: "data", properties: { messageId: "m".repeat(129) } }))).toMatchObject({
      message: expect.stringContaining("exceeds the maximum of 128"),
    });
    expect(await failure(sender.sendMessages({ messageId: "big", body: "x".repeat(300 * 1024) }))).toMatchObject({ code: "MessageSizeExceeded" });
    expect(await failure(client.createSender("no-such-queue").sendMessages({ messageId: "x", body: 1 }))).toMatchObject({ code: "MessagingEntityNotFound" });
    expect(await failure(client.createSender(`${QUEUE}/$DeadLetterQueue`).sendMessages({ messageId: "x", body: 1 }))).toMatchObject({
      message: expect.stringContaining("dead-letter queue"),
    });
    expect(peer.queue(QUEUE).stats.sent).toBe(0);
  });

  it("answers what it does not implement with an error, never silently", async () => {
    const sender = client.createSender(QUEUE);
    expect(await failure(sender.sendMessages({ messageId: "ttl", body: 1, timeToLive: 1_000 }))).toMatchObject({
      message: expect.stringContaining("time-to-live"),
    });
    const deleting = client.createReceiver(QUEUE, { receiveMode: "receiveAndDelete" });
    expect(await failure(deleting.receiveMessages(1, { maxWaitTimeInMs: 300 }))).toMatchObject({
      code: "GeneralError",
      message: expect.stringContaining("receive-and-delete"),
    });

    await sender.sendMessages({ messageId: "d", body: 1 });
    const receiver = client.createReceiver(QUEUE);
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 });
    expect(await failure(receiver.deferMessage(message as ServiceBusReceivedMessage))).toMatchObject({ message: expect.stringContaining("deferral") });
    const sequenceNumber = (message as ServiceBusReceivedMessage).sequenceNumber;
    expect(await failure(receiver.receiveDeferredMessages(sequenceNumber as NonNullable<typeof sequenceNumber>))).toMatchObject({
      message: expect.stringContaining("com.microsoft:receive-by-sequence-number"),
    });
    await receiver.close();
  });
});
