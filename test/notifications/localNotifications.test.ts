import { expect, inject, it } from "vitest";
import { createLocalStack } from "../../local/localStack.js";
import { silentLogger } from "../../shared/ports/logger.js";
import { sampleEstate } from "../helpers.js";
import { startReceiver } from "./receivers.js";

it("the local notification path (sandbox, drills) delivers through the root's own worker and records health", async () => {
  const r = await startReceiver();
  const stack = await createLocalStack({
    estate: sampleEstate(),
    tableEndpoint: inject("tableEndpoint"),
    log: silentLogger,
    realTime: false,
    settings: { NOTIFY_TEAMS_WEBHOOK_URL: `${r.url}/t` },
  });
  const notifications = stack.root.notifications;
  await notifications.notifierFor(silentLogger).notify({ kind: "runStarted", runId: "r1", estate: "e", mode: "test", at: new Date(), summary: "s" });
  await stack.drainNotifications();
  expect(r.posts()).toHaveLength(1);
  expect((await notifications.getChannelHealth()).map((h) => h.state)).toEqual(["healthy"]);
  await Promise.all([r.close(), stack.stop()]);
});
