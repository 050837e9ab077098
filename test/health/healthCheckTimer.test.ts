import functions from "@azure/functions";
import { afterAll, describe, expect, inject, it } from "vitest";
import { handleHealthCheckTimer, HEALTH_CHECK_FUNCTION, HEALTH_CHECK_SCHEDULE_SETTING } from "../../shared/host/triggers/healthCheck.js";
import { CONFIG_KEYS, ConfigSchema } from "../../shared/config/loadConfig.js";
import { useAppRoot } from "../../shared/root/appRoot.js";
import { createLocalHealthCheck, fireHealthCheckTimer, timerInfo, type LocalHealthCheck } from "../../local/healthcheck.js";
import type { NotifierPort } from "../../shared/ports/notifier.js";
import { SimulatedClock } from "../../local/simulatedClock.js";
import { sampleEstate } from "../helpers.js";

const estate = sampleEstate();
const START = new Date("2026-03-01T02:00:05Z");

/** Captures the host's log lines as data. */
function capture() {
  const lines: { level: string; message: string; props: Record<string, unknown> }[] = [];
  const context = new functions.InvocationContext({
    functionName: HEALTH_CHECK_FUNCTION,
    invocationId: "3f9a2c1e-0000-4000-8000-000000000001",
    logHandler: (level, message, props) => lines.push({ level, message: String(message), props: (props ?? {}) as Record<string, unknown> }),
  });
  return { context, lines };
}

// Each check runs over its own local stack; their Service Bus peers close with the file.
const opened: LocalHealthCheck[] = [];
afterAll(() => Promise.all(opened.splice(0).map((h) => h.stop())));

async function local(options: { notifier?: NotifierPort } = {}): Promise<LocalHealthCheck> {
  const hc = await createLocalHealthCheck({
    estate,
    tableEndpoint: inject("tableEndpoint"),
    clock: new SimulatedClock(START, { realTime: false }),
    replicationOnly: true,
    ...options,
  });
  opened.push(hc);
  return hc;
}

describe("healthCheck timer function", () => {
  it("takes its NCRONTAB schedule from an app setting, nightly at 02:00 by default", () => {
    expect(CONFIG_KEYS).toContain(HEALTH_CHECK_SCHEDULE_SETTING);
    const schedule = ConfigSchema.shape.HEALTH_CHECK_SCHEDULE;
    expect(schedule.parse(undefined)).toBe("0 0 2 * * *");
    expect(schedule.parse("0 30 1 * * 1-5")).toBe("0 30 1 * * 1-5");
    expect(schedule.safeParse("0 2 * * *").success).toBe(false); // five fields: a Unix cron, not NCRONTAB
  });

  it("records a missed schedule (isPastDue), still runs, and logs the report", async () => {
    const hc = await local();
    useAppRoot(hc.app);
    const { context, lines } = capture();
    await handleHealthCheckTimer(timerInfo(START, true), context);
    const [entry] = await hc.history.list(estate.name, 1);
    expect(entry).toMatchObject({ isPastDue: true, trigger: "timer", overall: "green" });
    expect(lines.find((l) => l.level === "warning" && l.message.includes("past due"))?.props).toMatchObject({
      invocationId: context.invocationId,
      estate: estate.name,
    });
    expect(lines.find((l) => l.message === "health check report")?.props).toMatchObject({ overall: "green", saved: true });
  });

  it("never runs twice at once: a second invocation while the lease is held is skipped", async () => {
    const hc = await local();
    expect(await hc.history.acquireLease(estate.name, "other-instance", START, new Date(START.getTime() + 6 * 60_000))).toMatchObject({ acquired: true });
    const outcome = await fireHealthCheckTimer(hc.app, { now: START });
    expect(outcome).toEqual({ status: "skipped", heldBy: "other-instance", until: new Date(START.getTime() + 6 * 60_000).toISOString() });
    expect(await hc.history.list(estate.name, 5)).toEqual([]);
    expect(hc.azure.stats().reads).toBe(0);
  });

  it("two invocations fired together: one runs, one is skipped, and the lease is free afterwards", async () => {
    const hc = await local();
    const [a, b] = await Promise.all([
      hc.root.run({ trigger: "timer", isPastDue: false, holder: "instance-a" }, { info: () => undefined, warn: () => undefined, error: () => undefined }),
      hc.root.run({ trigger: "admin", isPastDue: false, holder: "instance-b" }, { info: () => undefined, warn: () => undefined, error: () => undefined }),
    ]);
    expect([a.status, b.status].sort()).toEqual(["completed", "skipped"]);
    expect(await hc.history.acquireLease(estate.name, "later", new Date(START.getTime() + 1000), new Date(START.getTime() + 60_000))).toMatchObject({
      acquired: true,
    });
  });

  it("a notifier that fails does not lose the report", async () => {
    const hc = await local({ notifier: { notify: () => Promise.reject(new Error("Teams is down")) } });
    const { context, lines } = capture();
    useAppRoot(hc.app);
    await handleHealthCheckTimer(timerInfo(START, false), context);
    expect(lines.find((l) => l.message === "health check notification failed")?.props).toMatchObject({ error: "Teams is down" });
    expect((await hc.history.list(estate.name, 1)).length).toBe(1);
  });
});
