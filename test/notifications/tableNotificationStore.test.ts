import { beforeEach, describe, expect, it } from "vitest";
import { tableKey } from "../../shared/adapters/tableNotificationStore.js";
import type { NotificationStore } from "../../shared/ports/notificationStore.js";
import { azuriteNotificationStore } from "./deliveryStack.js";

let store: NotificationStore;
beforeEach(async () => {
  store = await azuriteNotificationStore();
});

describe("Table Storage notification store (Azurite)", () => {
  it("keeps one delivery row per (event, channel), listed per run", async () => {
    const base = { runId: "run-1", kind: "runStarted", attempts: 1, updatedAt: "2026-11-25T02:00:00.000Z" } as const;
    await store.putDelivery({
      ...base,
      eventId: "run-1:runStarted",
      channel: "teams",
      status: "retrying",
      lastError: "teams webhook: HTTP 500",
      nextAttemptAt: "2026-11-25T02:00:05.000Z",
    });
    await store.putDelivery({ ...base, eventId: "run-1:runStarted", channel: "email", status: "delivered" });
    await store.putDelivery({ ...base, runId: "run-2", eventId: "run-2:runStarted", channel: "teams", status: "delivered" });
    await store.putDelivery({
      ...base,
      eventId: "run-1:runStarted",
      channel: "teams",
      status: "delivered",
      attempts: 2,
      updatedAt: "2026-11-25T02:00:06.000Z",
    });

    expect(await store.getDelivery("run-1", "run-1:runStarted", "teams")).toEqual({
      ...base,
      eventId: "run-1:runStarted",
      channel: "teams",
      status: "delivered",
      attempts: 2,
      updatedAt: "2026-11-25T02:00:06.000Z",
    });
    expect(await store.getDelivery("run-1", "run-1:runStarted", "webhook")).toBeUndefined();
    expect((await store.listDeliveries("run-1")).map((d) => `${d.channel}:${d.status}`)).toEqual(["email:delivered", "teams:delivered"]);
  });

  it("accepts any run or event id as a key (/, \\, #, ? and control characters are encoded)", async () => {
    const odd = "run/with\\odd#chars?and%\u0001";
    await store.putDelivery({
      runId: odd,
      eventId: `${odd}:runStarted`,
      kind: "runStarted",
      channel: "webhook",
      status: "failed",
      attempts: 1,
      updatedAt: "2026-11-25T02:00:00.000Z",
      lastError: "HTTP 400",
    });
    expect((await store.listDeliveries(odd)).map((d) => d.runId)).toEqual([odd]);
    expect(tableKey("a/b\\c#d?e%f")).toBe("a%2Fb%5Cc%23d%3Fe%25f");
  });

  it("counts consecutive failures per channel, concurrently, and resets them on success", async () => {
    const failures = Array.from({ length: 8 }, (_, i) =>
      store.recordChannelOutcome("teams", { ok: false, at: `2026-11-25T02:00:0${i}.000Z`, eventId: `e${i}`, error: "teams webhook: HTTP 503" }),
    );
    await Promise.all(failures);
    await store.recordChannelOutcome("email", { ok: true, at: "2026-11-25T02:00:00.000Z", eventId: "e0" });
    expect(await store.listChannelHealth()).toEqual([
      { channel: "email", consecutiveFailures: 0, totalFailures: 0, delivered: 1, lastSuccessAt: "2026-11-25T02:00:00.000Z", lastEventId: "e0" },
      expect.objectContaining({ channel: "teams", consecutiveFailures: 8, totalFailures: 8, delivered: 0, lastError: "teams webhook: HTTP 503" }),
    ]);
    const after = await store.recordChannelOutcome("teams", { ok: true, at: "2026-11-25T02:01:00.000Z", eventId: "e9" });
    expect(after).toMatchObject({
      consecutiveFailures: 0,
      totalFailures: 8,
      delivered: 1,
      lastSuccessAt: "2026-11-25T02:01:00.000Z",
      lastError: "teams webhook: HTTP 503",
    });
  });
});
