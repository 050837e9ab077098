import { AzureNamedKeyCredential } from "@azure/data-tables";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type RunningAzurite } from "../../local/azurite.js";
import { callAzure } from "../../shared/adapters/azureErrors.js";
import { openTable, readRow, type StateTablesOptions } from "../../shared/adapters/stateTables.js";
import { createLocalStack, type LocalStack } from "../../local/localStack.js";
import { deferredStepMessageId } from "../../shared/runs/messageIds.js";
import {
  nextStoreOutageDeferral,
  parseStepMessage,
  STORE_OUTAGE_PATIENCE_SECONDS,
  type StepWake,
  type StoreOutageDeferral,
} from "../../shared/runs/stepMessage.js";
import type { RunEvent } from "../../shared/ports/notifier.js";
import type { OutgoingMessage } from "../../shared/ports/queue.js";
import type { FailoverRequest } from "../../shared/domain/plan.js";
import { buildRunReport } from "../../shared/reports/buildRunReport.js";
import { sampleEstate } from "../helpers.js";
import { capturingLogger, type LogLine } from "./engineHarness.js";

const estate = sampleEstate();
const START = new Date("2026-11-25T02:00:00Z");
const OUTAGE_MS = 60_000;

/** Azurite persisting to a temporary directory, so it can be stopped and started again with its data. */
let azurite: RunningAzurite | undefined;
let location = "";
let storeDown = false;
const stacks: LocalStack[] = [];

beforeAll(async () => {
  location = await mkdtemp(path.join(os.tmpdir(), "dr-storage-outage-"));
  azurite = await startAzurite("table", { location });
});

// A test that failed during its outage leaves the store up for the next one.
afterEach(async () => {
  if (storeDown) await restartStore();
});

afterAll(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.stop()));
  await azurite?.stop();
  await rm(location, { recursive: true, force: true });
});

function running(): RunningAzurite {
  if (!azurite) throw new Error("Azurite is not started");
  return azurite;
}

async function stopStore(): Promise<void> {
  storeDown = true;
  await running().stop();
}

/** Azurite again, same port and same data directory: the same endpoint finds the same rows. */
async function restartStore(): Promise<void> {
  azurite = await startAzurite("table", { location, port: running().port });
  storeDown = false;
}

async function newStack(): Promise<{ stack: LocalStack; logs: LogLine[]; events: RunEvent[]; sent: OutgoingMessage<StepWake>[] }> {
  const { log, logs } = capturingLogger();
  const events: RunEvent[] = [];
  const stack = await createLocalStack({
    estate,
    tableEndpoint: running().tableEndpoint,
    realTime: false,
    start: START,
    log,
    notifier: {
      notify: (event) => {
        events.push(event);
        return Promise.resolve();
      },
    },
    timing: { retryBaseSeconds: 5, retryCapSeconds: 30 },
  });
  stacks.push(stack);
  // Every message the engine sends, as it sent it (the broker's duplicate detection still applies).
  const sent: OutgoingMessage<StepWake>[] = [];
  const { adapter } = stack.queue;
  stack.queue.send = async (messages) => {
    sent.push(...messages);
    await adapter.send(messages);
  };
  return { stack, logs, events, sent };
}

function failoverCalls(stack: LocalStack): number {
  return Object.values(stack.azure.stats().failoverCalls).reduce((sum, n) => sum + n, 0);
}

describe("a Table Storage outage mid-run", () => {
  it("delays the unplanned failover of the sample estate but never fails it: one failover and one commit per VM, nothing dead-lettered, the delay on the report", async () => {
    const { stack, logs, events } = await newStack();
    let outage: "before" | "down" | "over" = "before";
    let outageStart = 0;
    let restartAt = Number.POSITIVE_INFINITY;
    let transition: Promise<void> | undefined;
    const original = stack.engine.handleStepMessage.bind(stack.engine);
    // The store goes away right after the first failover was accepted by ASR, and comes back once
    // deliveries have met it for a simulated minute (the first one to meet it may come minutes later:
    // steps following ASR jobs wait without messages); handlers in flight meet it mid-way.
    Object.assign(stack.engine, {
      handleStepMessage: async (message: StepWake) => {
        if (outage === "down" && restartAt === Number.POSITIVE_INFINITY) restartAt = stack.clock.now().getTime() + OUTAGE_MS;
        if (outage === "down" && stack.clock.now().getTime() >= restartAt) {
          transition ??= restartStore().then(() => void (outage = "over"));
          await transition;
        }
        await original(message);
        if (outage === "before" && failoverCalls(stack) > 0) {
          outage = "down";
          outageStart = stack.clock.now().getTime();
          await stopStore();
        }
      },
    });

    const runId = "run-storage-outage-full";
    await stack.engine.startRun({ mode: "unplanned", scope: { kind: "all" } }, "test", runId);
    await stack.drain();

    expect(outage).toBe("over");
    const run = (await stack.store.getRun(runId))?.value;
    const steps = await stack.store.listSteps(runId);
    expect(run?.status).toBe("succeeded");
    expect(steps.filter((s) => s.status !== "succeeded")).toEqual([]);
    expect(stack.queue.deadLetters).toEqual([]);
    // At most one failover and one commit per VM: every VM is failed over and committed, exactly once.
    expect(stack.azure.stats().failoverCalls).toEqual(Object.fromEntries(estate.vms.map((vm) => [vm.name, 1])));
    expect(stack.azure.stats().byOperation["ReplicationProtectedItems_FailoverCommit"]).toBe(estate.vms.length);
    expect(stack.azure.misuse).toEqual([]);
    // The run ended once: one completion notice, the lock released.
    expect(events.filter((e) => e.kind === "runCompleted")).toHaveLength(1);
    expect(events.filter((e) => e.kind === "runFailed")).toEqual([]);
    expect(await stack.store.runLockHolder(estate.name)).toBeUndefined();

    // Each deferral was a warning naming the run and the step.
    const deferrals = logs.filter((l) => l.message === "state store unreachable, step wake-up deferred");
    expect(deferrals.length).toBeGreaterThan(0);
    for (const line of deferrals) expect(line.properties).toMatchObject({ runId, stepId: expect.any(String), deferrals: expect.any(Number) });
    expect(logs.filter((l) => l.level === "error")).toEqual([]);

    // The steps that were put off say so, and for how long: from a moment of the outage to after it.
    const delayed = steps.filter((s) => (s.journal.storeOutages ?? []).length > 0);
    expect(delayed.length).toBeGreaterThan(0);
    for (const o of delayed.flatMap((s) => s.journal.storeOutages ?? [])) {
      expect(Date.parse(o.since)).toBeGreaterThanOrEqual(outageStart);
      expect(Date.parse(o.until)).toBeGreaterThanOrEqual(restartAt);
      expect(o.deferrals).toBeGreaterThan(0);
    }
    const report = buildRunReport(estate, run ?? fail("no run"), steps, stack.clock.now());
    const reported = report.steps.filter((s) => /delayed \d+ s by an unreachable state store \(\d+ deferrals\)/.test(s.detail ?? ""));
    expect(reported.map((s) => s.id).sort()).toEqual(delayed.map((s) => s.step.id).sort());
  });
});

describe("a wake-up deferred while the store is down", () => {
  const identityOnly: FailoverRequest = { mode: "unplanned", scope: { kind: "tiers", tiers: ["identity"] } };

  /**
   * Reaches DC01's failover with the store down: its wake-up is deferred, and the original is
   * delivered again while the store is still down (its completion was lost), then the store is back.
   */
  async function deferredFailover(runId: string) {
    const context = await newStack();
    const { stack, sent } = context;
    await stack.engine.startRun(identityOnly, "test", runId);
    await stack.engine.handleStepMessage({ runId, stepId: "verify-dc", seq: 0 });
    const originalWake: StepWake = { runId, stepId: "failover:DC01", seq: 0 };
    await stopStore();
    try {
      await stack.engine.handleStepMessage(originalWake);
      await stack.engine.handleStepMessage(originalWake);
    } finally {
      await restartStore();
    }
    const copies = sent.filter((m) => m.body.stepId === "failover:DC01" && m.body.deferral);
    return { ...context, originalWake, copies };
  }

  /** As the Functions host does: a delivery that threw (the other one moved the step first) is delivered again. */
  async function deliverUntilHandled(stack: LocalStack, wake: StepWake): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await stack.engine.handleStepMessage(wake);
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
  }

  it("is re-sent later under one new id per deferral, with the time the outage was met", async () => {
    const runId = "run-storage-outage-ids";
    const { stack, copies, originalWake } = await deferredFailover(runId);
    // Both deliveries of the original sent the same first copy: the broker keeps one.
    expect(copies).toHaveLength(2);
    expect(new Set(copies.map((m) => m.messageId))).toEqual(new Set([deferredStepMessageId(runId, "failover:DC01", 0, 1)]));
    expect(copies[0]?.body).toEqual({ ...originalWake, deferral: { count: 1, since: START.toISOString() } });
    expect(copies[0]?.deliverAt?.toISOString()).toBe(new Date(START.getTime() + 15_000).toISOString());
    expect(failoverCalls(stack)).toBe(0);
  });

  it("is put off 15 s, doubling to 2 min, and given up to normal redelivery only after 15 minutes of outage", async () => {
    const delays: number[] = [];
    let deferral: StoreOutageDeferral | undefined;
    let now = START;
    for (let next = nextStoreOutageDeferral(deferral, now); next; next = nextStoreOutageDeferral(deferral, now)) {
      delays.push(next.delaySeconds);
      deferral = next.deferral;
      now = new Date(now.getTime() + next.delaySeconds * 1000);
    }
    expect(delays).toEqual([15, 30, 60, 120, 120, 120, 120, 120, 120, 120]);
    expect((now.getTime() - START.getTime()) / 1000).toBeGreaterThanOrEqual(STORE_OUTAGE_PATIENCE_SECONDS);
    // The deferral travels in the message body and is read back by the step function's parser.
    expect(parseStepMessage(JSON.stringify({ runId: "r", stepId: "s", seq: 2, deferral }))).toEqual({ runId: "r", stepId: "s", seq: 2, deferral });

    // A copy that meets the store down again once the window is over goes back to normal redelivery: the error, nothing sent.
    const runId = "run-storage-outage-patience";
    const { stack, sent, logs } = await deferredFailover(runId);
    const sentBefore = sent.length;
    stack.clock.advanceTo(new Date(START.getTime() + STORE_OUTAGE_PATIENCE_SECONDS * 1000));
    await stopStore();
    await expect(
      stack.engine.handleStepMessage({ runId, stepId: "failover:DC01", seq: 0, deferral: { count: 10, since: START.toISOString() } }),
    ).rejects.toMatchObject({ code: "StoreUnavailable" });
    expect(sent.length).toBe(sentBefore);
    expect(logs.filter((l) => l.level === "error").map((l) => l.properties)).toEqual([
      expect.objectContaining({ runId, stepId: "failover:DC01", deferrals: 10 }),
    ]);
  });

  it.each(["the copy first", "the original first", "both at once"] as const)(
    "and a duplicate redelivery of the original do not run the step twice (%s)",
    async (order) => {
      const runId = `run-storage-outage-${order.replace(/\W+/g, "-")}`;
      const { stack, copies, originalWake } = await deferredFailover(runId);
      const copy = copies[0]?.body ?? fail("no deferred copy");
      stack.clock.advanceTo(copies[0]?.deliverAt ?? fail("the copy has no delivery time"));
      if (order === "the copy first") {
        await stack.engine.handleStepMessage(copy);
        await stack.engine.handleStepMessage(originalWake);
      } else if (order === "the original first") {
        await stack.engine.handleStepMessage(originalWake);
        await stack.engine.handleStepMessage(copy);
      } else {
        await Promise.all([deliverUntilHandled(stack, copy), deliverUntilHandled(stack, originalWake)]);
      }
      expect(stack.azure.stats().failoverCalls).toEqual({ DC01: 1 });
      const step = (await stack.store.getStep(runId, "failover:DC01"))?.value;
      expect(step?.journal.jobName).toEqual(expect.any(String));
      if (order === "the copy first")
        expect(step?.journal.storeOutages).toEqual([{ since: START.toISOString(), until: new Date(START.getTime() + 15_000).toISOString(), deferrals: 1 }]);
      if (order === "the original first") expect(step?.journal.storeOutages).toBeUndefined();

      // Everything still in the queue (the copy the broker kept, the first wake-ups) is delivered too: the run completes once.
      await stack.drain();
      expect((await stack.store.getRun(runId))?.value.status).toBe("succeeded");
      expect(stack.azure.stats().failoverCalls).toEqual({ DC01: 1, DC02: 1 });
      expect(stack.azure.stats().byOperation["ReplicationProtectedItems_FailoverCommit"]).toBe(2);
      expect(stack.queue.deadLetters).toEqual([]);
    },
  );
});

describe("the Table adapters when the store cannot serve", () => {
  const SDK_RETRIES = 3;

  /**
   * A Table endpoint that has the table (409 TableAlreadyExists to its creation) and answers every
   * other request with `status` and a storage error code, in the Table service's JSON error shape
   * (Common REST API error codes, learn.microsoft.com/rest/api/storageservices/common-rest-api-error-codes).
   */
  async function failingEndpoint(status: number, errorCode: string): Promise<{ server: Server; url: string; reads: () => number }> {
    let reads = 0;
    const server = createServer((request, response) => {
      const body = (code: string, message: string) => JSON.stringify({ "odata.error": { code, message: { lang: "en-US", value: message } } });
      if (request.method === "POST" && request.url?.endsWith("/Tables")) {
        response
          .writeHead(409, { "content-type": "application/json;odata=minimalmetadata", "x-ms-error-code": "TableAlreadyExists" })
          .end(body("TableAlreadyExists", "The table specified already exists."));
        return;
      }
      reads += 1;
      response
        .writeHead(status, { "content-type": "application/json;odata=minimalmetadata", "x-ms-error-code": errorCode })
        .end(body(errorCode, `${errorCode}.`));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/${AZURITE_ACCOUNT}`, reads: () => reads };
  }

  const tables = (endpoint: string): StateTablesOptions => ({
    endpoint,
    credential: new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    clientOptions: { allowInsecureConnection: true, retryOptions: { maxRetries: SDK_RETRIES, retryDelayInMs: 1, maxRetryDelayInMs: 5 } },
  });

  it.each([
    [503, "ServerBusy"],
    [500, "InternalError"],
    [500, "OperationTimedOut"],
  ])("%i %s, still there after the SDK's own retries, is StoreUnavailable", async (status, errorCode) => {
    const endpoint = await failingEndpoint(status, errorCode);
    try {
      const table = await openTable(tables(endpoint.url), "steps");
      await expect(readRow(table, "run-1", "step-1")).rejects.toMatchObject({ name: "DrError", code: "StoreUnavailable", retryable: true });
      expect(endpoint.reads()).toBe(1 + SDK_RETRIES);
    } finally {
      endpoint.server.close();
    }
  });

  it("a refused connection is StoreUnavailable; answers about the request itself keep their codes", async () => {
    const closed = await failingEndpoint(503, "ServerBusy");
    closed.server.close();
    await expect(openTable(tables(closed.url), "steps")).rejects.toMatchObject({ code: "StoreUnavailable", message: expect.stringMatching(/ECONNREFUSED/) });

    const table = await openTable(tables(running().tableEndpoint), "outagecheck");
    expect(await readRow(table, "run-1", "no-such-step")).toBeUndefined();
    await table.createEntity({ partitionKey: "run-1", rowKey: "step-1" });
    await expect(callAzure("create row", () => table.createEntity({ partitionKey: "run-1", rowKey: "step-1" }))).rejects.toMatchObject({ code: "Conflict" });
  });
});

function fail(message: string): never {
  throw new Error(message);
}
