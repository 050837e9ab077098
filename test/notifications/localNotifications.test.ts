import { expect, inject, it } from "vitest";
import { createLocalNotifications } from "../../local/localNotifications.js";
import { SimulatedClock } from "../../local/simulatedClock.js";
import { silentLogger } from "../../shared/ports/logger.js";
import { startReceiver } from "./receivers.js";
it("the local notification path (sandbox, drills) delivers through the same worker and records health", async () => {
  const r = await startReceiver();
  const n = await createLocalNotifications({ config: { ...process.env, NOTIFY_TEAMS_WEBHOOK_URL: `${r.url}/t` }, tableEndpoint: inject("tableEndpoint"), clock: new SimulatedClock(new Date(), { realTime: false }) });
  await n.service.notifierFor(silentLogger).notify({ kind: "runStarted", runId: "r1", estate: "e", mode: "test", at: new Date(), summary: "s" });
  await n.drain(silentLogger);
  expect(r.posts()).toHaveLength(1);
  expect((await n.service.getChannelHealth()).map((h) => h.state)).toEqual(["healthy"]);
  await Promise.all([r.close(), n.stop()]);
});
