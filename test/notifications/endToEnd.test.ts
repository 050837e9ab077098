import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createQueueNotifier } from "../../shared/notifications/queueNotifier.js";
import type { TeamsMessage } from "../../shared/notifications/teamsCard.js";
import type { WebhookPayload } from "../../shared/notifications/webhookPayload.js";
import { silentLogger } from "../../shared/ports/logger.js";
import { RUN_EVENT_KINDS } from "../../shared/ports/notifier.js";
import { buildRunReport } from "../../shared/reports/buildRunReport.js";
import { runFailover, type HarnessRun } from "../runs/engineHarness.js";
import { sampleEstate } from "../helpers.js";
import { createDeliveryStack, type DeliveryStack } from "./deliveryStack.js";

const estate = sampleEstate();
const rto = (r: HarnessRun): number => buildRunReport(estate, r.run, r.steps, new Date(r.run.finishedAt ?? 0)).rtoSeconds;
/** When each step finished, relative to the run's start: the failover's whole timeline. */
const timeline = (r: HarnessRun): Record<string, number> =>
  Object.fromEntries(r.steps.map((s) => [s.step.id, Date.parse(s.finishedAt ?? "") - Date.parse(r.run.startedAt)]));

/** Whole simulated failovers through Azurite: a few seconds each, more on a busy machine. */
const RUN_TIMEOUT_MS = 180_000;

const emailDeliveries = (status: { deliveries: readonly { channel: string; kind: string; status: string }[] }): string[] =>
  status.deliveries.filter((d) => d.channel === "email").map((d) => `${d.kind}:${d.status}`);

let stack: DeliveryStack | undefined;
let baseline: HarnessRun;
beforeAll(async () => {
  baseline = await runFailover();
}, RUN_TIMEOUT_MS);
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Runs a failover while the notification worker drains its own queue alongside, as the two triggers would. */
async function failoverWithWorker(s: DeliveryStack, options: Parameters<typeof runFailover>[0] = {}): Promise<HarnessRun> {
  let finished = false;
  const worker = (async () => {
    while (!finished) {
      await s.drain();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await s.drain();
  })();
  try {
    return await runFailover({ ...options, notifier: s.notifier });
  } finally {
    finished = true;
    await worker;
  }
}

describe("notifications never block a failover (end to end)", () => {
  it(
    "with Teams hanging and the webhook failing, the run completes on the same timeline and the failures show in channel health",
    async () => {
      stack = await createDeliveryStack({
        teams: () => "hang",
        webhook: () => ({ status: 500, body: "receiver down" }),
        timeoutMs: 250,
        policy: { maxAttempts: 4 },
      });
      const started = performance.now();
      const result = await failoverWithWorker(stack);
      const wallMs = performance.now() - started;

      expect(result.run.status).toBe("succeeded");
      expect(rto(result)).toBe(rto(baseline));
      expect(timeline(result)).toEqual(timeline(baseline));
      expect(wallMs).toBeLessThan(60_000);

      // Every event of the run reached the queue once per routed channel...
      const kinds = ["runStarted", ...estate.tiers.map(() => "tierCompleted"), "runCompleted"];
      expect(result.events.map((e) => e.kind)).toEqual(kinds);
      const firstAttempts = stack.sent.filter((m) => m.body.attempt === 0);
      expect(firstAttempts.filter((m) => m.body.channel === "teams")).toHaveLength(kinds.length);
      expect(firstAttempts.filter((m) => m.body.channel === "email").map((m) => m.body.event.kind)).toEqual(["runStarted", "runCompleted"]);

      // ...e-mail got through, Teams and the webhook are reported failing, for the run and for the health check.
      expect(emailDeliveries(await stack.service.getRunNotificationStatus(result.runId)).sort()).toEqual(["runCompleted:delivered", "runStarted:delivered"]);
      const health = await stack.service.getChannelHealth();
      expect(health.map((h) => [h.channel, h.state])).toEqual([
        ["teams", "failing"],
        ["email", "healthy"],
        ["webhook", "failing"],
      ]);
      expect(health.find((h) => h.channel === "teams")?.lastError).toBe("teams webhook: no answer within 250 ms");
      expect(health.find((h) => h.channel === "webhook")?.lastError).toBe("webhook: HTTP 500 receiver down");
      const status = await stack.service.getRunNotificationStatus(result.runId);
      expect(status.attention).toEqual(["teams", "webhook"]);
      expect(status.deliveries.filter((d) => d.channel === "teams").every((d) => d.status === "failed" && d.attempts === 4)).toBe(true);
      expect(stack.teams.posts()).toHaveLength(kinds.length * 4);

      // The completion notice carries RTO and data-loss window against the targets.
      const completed = result.events.find((e) => e.kind === "runCompleted");
      expect(completed?.objectives).toMatchObject({
        rtoSeconds: rto(result),
        rtoTargetSeconds: estate.objectives.rtoMinutes * 60,
        rpoTargetSeconds: estate.objectives.rpoMinutes * 60,
      });
      expect(completed?.objectives?.dataLossWindowSeconds).toEqual(expect.any(Number));
      expect(result.events[0]).toMatchObject({ kind: "runStarted", trigger: "test", vms: estate.vms.map((vm) => vm.name) });
      // Tiers that run in parallel (web, recommendation) finish in either order.
      const tierVms = Object.fromEntries(result.events.filter((e) => e.kind === "tierCompleted").map((e) => [e.tier, e.vms]));
      expect(tierVms).toEqual(Object.fromEntries(estate.tiers.map((t) => [t.name, estate.vms.filter((vm) => vm.tier === t.name).map((vm) => vm.name)])));
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "with a notification queue that hangs, the run still completes on the same timeline",
    async () => {
      const routes = new Map([["teams" as const, new Set(RUN_EVENT_KINDS)]]);
      const stuck = createQueueNotifier({ queue: { send: () => new Promise<void>(() => undefined) }, routes, log: silentLogger, enqueueTimeoutMs: 10 });
      const result = await runFailover({ notifier: stuck });
      expect(result.run.status).toBe("succeeded");
      expect(timeline(result)).toEqual(timeline(baseline));
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "with a notifier that throws, a tier milestone still succeeds",
    async () => {
      const result = await runFailover({
        request: { mode: "unplanned", scope: { kind: "tiers", tiers: ["identity"] } },
        notifier: { notify: () => Promise.reject(new Error("boom")) },
      });
      expect(result.run.status).toBe("succeeded");
      expect(result.events.map((e) => e.kind)).toEqual(["runStarted", "tierCompleted", "runCompleted"]);
      expect(result.logs.filter((l) => l.message === "notification failed").length).toBe(result.events.length);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "a failed run is announced with the step, its tier and the error, signed to the webhook",
    async () => {
      stack = await createDeliveryStack();
      const result = await failoverWithWorker(stack, { faults: { brokenDomainTrust: ["API02"] } });
      expect(result.run.status).toBe("failed");
      const failed = stack.webhook
        .posts()
        .map((r) => JSON.parse(r.body) as WebhookPayload)
        .find((p) => p.data.kind === "runFailed");
      expect(failed).toMatchObject({
        id: `${result.runId}:runFailed`,
        data: { tier: "api", failedStep: { id: "checks:API02", kind: "guestChecks", target: "API02", tier: "api" } },
      });
      expect(failed?.data.failedStep?.reason).toMatch(/domainSecureChannel failed/);
      const card = stack.teams
        .posts()
        .map((r) => JSON.parse(r.body) as TeamsMessage)
        .find((m) => m.attachments[0].content.fallbackText.startsWith("Failover FAILED"));
      expect(JSON.stringify(card)).toContain("checks:API02");
      expect((await stack.service.getChannelHealth()).every((h) => h.state === "healthy")).toBe(true);
    },
    RUN_TIMEOUT_MS,
  );
});
