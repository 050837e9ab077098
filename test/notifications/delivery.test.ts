import { afterEach, describe, expect, it } from "vitest";
import { deterministicUuid } from "../../shared/notifications/notificationMessage.js";
import { createQueueNotifier } from "../../shared/notifications/queueNotifier.js";
import { SIGNATURE_HEADER, verifyWebhookSignature } from "../../shared/notifications/signWebhook.js";
import type { TeamsMessage } from "../../shared/notifications/teamsCard.js";
import type { WebhookPayload } from "../../shared/notifications/webhookPayload.js";
import { silentLogger, type Logger } from "../../shared/ports/logger.js";
import { createDeliveryStack, EMAIL_SENDER, EMAIL_TO, RUN_PAGE, type DeliveryStack, type DeliveryStackOptions } from "./deliveryStack.js";
import { runEvent, SIGNING_KEY } from "./fixtures.js";

let stack: DeliveryStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function open(options: DeliveryStackOptions = {}): Promise<DeliveryStack> {
  stack = await createDeliveryStack(options);
  return stack;
}

const EVENT_ID = "run-20261125T020000Z-abc123:runStarted";
/** Seconds after the first attempt at which each retry of a channel was scheduled. */
const retryOffsets = (s: DeliveryStack, channel: string): number[] => {
  const start = Date.parse("2026-11-25T02:00:00Z");
  return s.sent.filter((m) => m.body.channel === channel && m.deliverAt).map((m) => ((m.deliverAt as Date).getTime() - start) / 1000);
};
const health = async (s: DeliveryStack, channel: string) => (await s.service.getChannelHealth()).find((h) => h.channel === channel);

describe("notification delivery to local receivers", () => {
  it("delivers one event to each channel: the Teams card, a signed CloudEvent and the ACS e-mail request", async () => {
    const s = await open();
    await s.notifier.notify(runEvent());
    expect(s.teams.requests).toHaveLength(0); // the notifier only enqueues
    await s.drain();

    const [teams] = s.teams.posts();
    expect(s.teams.posts()).toHaveLength(1);
    expect(teams?.path).toBe("/workflows/teams");
    expect(teams?.headers["content-type"]).toBe("application/json");
    const card = JSON.parse(teams?.body ?? "") as TeamsMessage;
    expect(card).toMatchObject({
      type: "message",
      attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: { type: "AdaptiveCard", version: "1.4" } }],
    });
    expect(card.attachments[0].content.actions).toEqual([{ type: "Action.OpenUrl", title: "Open the run", url: `${RUN_PAGE}/run-20261125T020000Z-abc123` }]);

    const [hook] = s.webhook.posts();
    expect(hook?.headers["content-type"]).toBe("application/cloudevents+json; charset=utf-8");
    expect(hook?.headers["x-dr-event-id"]).toBe(EVENT_ID);
    expect(verifyWebhookSignature(hook?.body ?? "", hook?.headers[SIGNATURE_HEADER] as string, SIGNING_KEY, s.clock.now())).toMatchObject({ ok: true });
    expect(
      verifyWebhookSignature(hook?.body ?? "", hook?.headers[SIGNATURE_HEADER] as string, "a wrong key of sufficient length 0123456789", s.clock.now()).ok,
    ).toBe(false);
    expect(JSON.parse(hook?.body ?? "")).toMatchObject({
      specversion: "1.0",
      id: EVENT_ID,
      type: "com.dr-automation.runStarted",
    } satisfies Partial<WebhookPayload>);

    const [mail] = s.acs.posts();
    expect(s.acs.posts()).toHaveLength(1); // accepted is delivered: the operation is not polled
    expect(mail?.path).toMatch(/^\/emails:send\?api-version=\d{4}-\d{2}-\d{2}/);
    expect(mail?.headers.authorization).toBe("Bearer test-token");
    expect(mail?.headers["operation-id"]).toBe(deterministicUuid(EVENT_ID, "email"));
    const email = JSON.parse(mail?.body ?? "") as Record<string, unknown>;
    expect(email).toMatchObject({
      senderAddress: EMAIL_SENDER,
      recipients: { to: EMAIL_TO.map((address) => ({ address })) },
      content: { subject: "[DR] Failover started: contoso", plainText: expect.stringContaining("Why: alert er-down-1"), html: expect.stringContaining("<h2") },
    });

    expect((await s.store.listDeliveries("run-20261125T020000Z-abc123")).map((d) => `${d.channel}:${d.status}:${d.attempts}`).sort()).toEqual([
      "email:delivered:1",
      "teams:delivered:1",
      "webhook:delivered:1",
    ]);
    expect((await s.service.getChannelHealth()).map((h) => `${h.channel}:${h.state}:${h.delivered}`)).toEqual([
      "teams:healthy:1",
      "email:healthy:1",
      "webhook:healthy:1",
    ]);
  });

  it("routes kinds to channels as configured", async () => {
    const s = await open({ routes: JSON.stringify({ email: ["runFailed"], webhook: [] }) });
    await s.notifier.notify(runEvent({ kind: "tierCompleted", tier: "identity" }));
    await s.notifier.notify(runEvent({ kind: "runFailed" }));
    await s.drain();
    expect(s.teams.posts()).toHaveLength(2);
    expect(s.acs.posts()).toHaveLength(1);
    expect(s.webhook.posts()).toHaveLength(0);
  });

  it("retries a 500 with exponential backoff and jitter, then delivers; the channel shows degraded, then healthy", async () => {
    const s = await open();
    s.teams.script({ status: 500, body: "boom" }, { status: 502 });
    await s.notifier.notify(runEvent());
    await s.drain();
    expect(s.teams.posts()).toHaveLength(3);
    // base 5 s doubling, jitter pinned at half: 3.75 s after attempt 0, then 7.5 s more.
    expect(retryOffsets(s, "teams")).toEqual([3.75, 11.25]);
    expect(await s.store.getDelivery("run-20261125T020000Z-abc123", EVENT_ID, "teams")).toMatchObject({ status: "delivered", attempts: 3 });
    expect(await health(s, "teams")).toMatchObject({
      state: "healthy",
      consecutiveFailures: 0,
      totalFailures: 2,
      delivered: 1,
      lastError: "teams webhook: HTTP 502",
    });
    expect(s.logs.filter((l) => l.message === "notification failed, will retry").map((l) => l.properties["error"])).toEqual([
      "teams webhook: HTTP 500 boom",
      "teams webhook: HTTP 502",
    ]);
  });

  it("honours 429 Retry-After (seconds or HTTP date), capped", async () => {
    const s = await open({ policy: { maxRetryAfterSeconds: 600 } });
    s.webhook.script(
      { status: 429, headers: { "retry-after": "120" } },
      { status: 429, headers: { "retry-after": new Date(Date.parse("2026-11-25T02:02:00Z") + 30_000).toUTCString() } },
      { status: 429, headers: { "retry-after": "86400" } },
    );
    await s.notifier.notify(runEvent());
    await s.drain();
    expect(retryOffsets(s, "webhook")).toEqual([120, 150, 750]);
    expect(s.webhook.posts()).toHaveLength(4);
    expect(await health(s, "webhook")).toMatchObject({ state: "healthy", totalFailures: 3 });
  });

  it("reads a legacy Teams connector's '200 ... HTTP error 429' as throttling", async () => {
    const s = await open();
    s.teams.script({ status: 200, body: "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId ..." });
    await s.notifier.notify(runEvent());
    await s.drain();
    expect(s.teams.posts()).toHaveLength(2);
    expect(s.logs.find((l) => l.message === "notification failed, will retry")?.properties).toMatchObject({ channel: "teams", code: "Throttled" });
  });

  it("times out a receiver that hangs, retries, and after the last attempt reports the channel failing", async () => {
    // Only Teams here, so the tiny timeout concerns the hanging receiver alone.
    const s = await open({ timeoutMs: 40, policy: { maxAttempts: 4 }, routes: JSON.stringify({ email: [], webhook: [] }) });
    s.teams.script("hang", "hang", "hang", "hang");
    const started = performance.now();
    await s.notifier.notify(runEvent());
    await s.drain();
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(s.teams.posts()).toHaveLength(4);
    expect(await s.store.getDelivery("run-20261125T020000Z-abc123", EVENT_ID, "teams")).toMatchObject({
      status: "failed",
      attempts: 4,
      lastError: "teams webhook: no answer within 40 ms",
    });
    expect(await health(s, "teams")).toMatchObject({ state: "failing", consecutiveFailures: 4, lastError: "teams webhook: no answer within 40 ms" });
    expect(s.logs.filter((l) => l.message === "notification given up")).toHaveLength(1);
    const status = await s.service.getRunNotificationStatus("run-20261125T020000Z-abc123");
    expect(status.attention).toEqual(["teams"]);
  });

  it("gives up at once on a 4xx other than 429, and on an ACS 400", async () => {
    const s = await open();
    s.webhook.script({ status: 400, body: "bad request" });
    s.acs.script({ status: 400, body: JSON.stringify({ error: { code: "BadRequest", message: "Invalid sender" } }) });
    await s.notifier.notify(runEvent());
    await s.drain();
    expect(s.webhook.posts()).toHaveLength(1);
    expect(s.acs.posts()).toHaveLength(1);
    expect(await s.store.getDelivery("run-20261125T020000Z-abc123", EVENT_ID, "webhook")).toMatchObject({
      status: "failed",
      attempts: 1,
      lastError: "webhook: HTTP 400 bad request",
    });
    expect(await s.store.getDelivery("run-20261125T020000Z-abc123", EVENT_ID, "email")).toMatchObject({ status: "failed", attempts: 1 });
    expect(retryOffsets(s, "webhook")).toEqual([]);
  });

  it("retries ACS throttling at its Retry-After, one request per attempt (the SDK's own retries are off)", async () => {
    const s = await open();
    s.acs.script({ status: 429, headers: { "retry-after": "30" }, body: JSON.stringify({ error: { code: "TooManyRequests", message: "slow down" } }) });
    await s.notifier.notify(runEvent());
    await s.drain();
    expect(s.acs.posts()).toHaveLength(2);
    expect(retryOffsets(s, "email")).toEqual([30]);
    expect(s.acs.posts().map((r) => r.headers["operation-id"])).toEqual([deterministicUuid(EVENT_ID, "email"), deterministicUuid(EVENT_ID, "email")]);
    expect(await s.store.getDelivery("run-20261125T020000Z-abc123", EVENT_ID, "email")).toMatchObject({ status: "delivered", attempts: 2 });
  });

  it("deduplicates by event id: a repeated event is dropped by the queue, a redelivered message posts nothing", async () => {
    const s = await open();
    await s.notifier.notify(runEvent());
    await s.notifier.notify(runEvent({ summary: "the same event raised again after a crash" }));
    expect(s.queue.stats.duplicatesDropped).toBe(3);
    await s.drain();
    expect([s.teams.posts().length, s.webhook.posts().length, s.acs.posts().length]).toEqual([1, 1, 1]);

    // Service Bus redelivers a message whose completion was lost: the worker sees it was delivered.
    const first = s.sent.find((m) => m.body.channel === "teams");
    if (!first) throw new Error("no Teams message was sent");
    await s.service.workerFor(silentLogger).handle(first.body);
    expect(s.teams.posts()).toHaveLength(1);
  });

  it("never throws into the engine, and waits for a stuck queue only up to its bound", async () => {
    const errors: unknown[] = [];
    const log: Logger = { info: () => undefined, warn: () => undefined, error: (_m, p) => void errors.push(p) };
    const routes = new Map([["teams" as const, new Set(["runStarted" as const])]]);
    const failing = createQueueNotifier({ queue: { send: () => Promise.reject(new Error("namespace unreachable")) }, routes, log });
    await expect(failing.notify(runEvent())).resolves.toBeUndefined();
    const stuck = createQueueNotifier({ queue: { send: () => new Promise<void>(() => undefined) }, routes, log, enqueueTimeoutMs: 20 });
    const started = performance.now();
    await expect(stuck.notify(runEvent())).resolves.toBeUndefined();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(errors).toEqual([
      expect.objectContaining({ error: "namespace unreachable", eventId: EVENT_ID }),
      expect.objectContaining({ error: "the notification queue did not accept the messages within 20 ms" }),
    ]);
  });
});
