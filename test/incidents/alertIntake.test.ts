import { afterEach, describe, expect, inject, it } from "vitest";
import { countTableOperations, type TableOperationCounter } from "../../local/bench/tableOperations.js";
import { silentLogger } from "../../shared/ports/logger.js";
import { startTestApi, type HttpResult, type TestApi } from "../host/http/httpHelpers.js";
import { freshAlertJson } from "./freshAlert.js";

let api: TestApi | undefined;
let requests: TableOperationCounter | undefined;
afterEach(async () => {
  requests?.stop();
  requests = undefined;
  await api?.stop();
  api = undefined;
});

const postAlert = (box: TestApi, alert: unknown): Promise<HttpResult> =>
  box.call("POST", "/api/alerts", { body: alert, headers: { "x-functions-key": box.sandbox.identity.alertKey } });

/** Table Storage requests the sandbox's HTTP routes make from now on (not its queue pumps'). */
function countRequests(box: TestApi): TableOperationCounter {
  requests = countTableOperations(inject("tableEndpoint"), { tablePrefix: box.sandbox.stack.tablePrefix, servingHttp: true });
  return requests;
}

const incidentRowRequests = (counts: Readonly<Record<string, number>>): number =>
  Object.entries(counts)
    .filter(([request]) => request.endsWith(" incidents"))
    .reduce((sum, [, n]) => sum + n, 0);

describe("alert intake under a storm: what each delivery costs in Table Storage", () => {
  it("answers a redelivered alert without touching the incident row or the run, with at most its audit entry's one transaction", async () => {
    api = await startTestApi();
    const alert = freshAlertJson("expressroute-primary-down.json", api.sandbox.stack.clock.now());
    expect((await postAlert(api, alert)).json).toMatchObject({ outcome: "warning" });

    const counter = countRequests(api);
    const notified = api.sandbox.events.length;
    const again = [];
    for (let i = 0; i < 10; i++) again.push(await postAlert(api, alert));
    const { byRequest, total } = counter.counts();

    expect(again.map((a) => [a.status, a.json.outcome])).toEqual(Array.from({ length: 10 }, () => [200, "duplicate"]));
    // Each one names its first delivery's decision (the warning), which this process finished: its notification is not sent again.
    expect(again.every((a) => /its decision \(warning\) was finished already/.test(String(a.json.reason)))).toBe(true);
    expect(api.sandbox.events).toHaveLength(notified);
    expect(incidentRowRequests(byRequest)).toBe(0);
    expect(byRequest["GET runs"]).toBeUndefined();
    expect(total).toBeLessThanOrEqual(10);
    // Every delivery is still audited, in one unbroken chain.
    const audited = (await api.sandbox.stack.root.audit.list()).filter((e) => e.action.startsWith("alert fired"));
    expect(audited.map((e) => e.result)).toEqual([...Array.from({ length: 10 }, () => "duplicate"), "warning"]);
  });

  it("writes the incident row once for 32 copies of a new alert delivered at once, and the copies wait for the first instead of reading it", async () => {
    api = await startTestApi();
    const alert = freshAlertJson("rpo-breach-log.json", api.sandbox.stack.clock.now());
    // The health check the breach brings forward waits: its Run Command polls move the simulated clock, past how long a finished delivery is answered from memory.
    const checks = api.sandbox.holdQueues(["checks"]);
    const counter = countRequests(api);
    const answers = await Promise.all(Array.from({ length: 32 }, () => postAlert(api as TestApi, alert)));
    checks.release();
    const { byRequest } = counter.counts();

    expect(answers.filter((a) => a.json.outcome === "diagnose")).toHaveLength(1);
    expect(answers.filter((a) => a.json.outcome === "duplicate")).toHaveLength(31);
    expect((byRequest["POST incidents"] ?? 0) + (byRequest["PUT incidents"] ?? 0)).toBe(1);
    // Every copy came while the first was being finished or once it was in memory: it waited for the first and was answered on
    // what that one finished with, so the row was read once, by the first (reading once per copy made 32).
    expect(byRequest["GET incidents"] ?? 0).toBe(1);
    expect(answers.filter((a) => /its decision \(diagnose\) was finished already/.test(String(a.json.reason)))).toHaveLength(31);
    expect(await api.sandbox.stack.root.alertsFor(silentLogger).current()).toMatchObject({ rpoBreached: true });
    const audited = (await api.sandbox.stack.root.audit.list()).filter((e) => e.action.startsWith("alert fired"));
    expect(audited).toHaveLength(32);
  });
});
