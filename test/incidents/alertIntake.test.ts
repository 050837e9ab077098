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

  it("writes the incident row once for 32 copies of a new alert delivered at once, and the copies share their reads of it", async () => {
    api = await startTestApi();
    const alert = freshAlertJson("rpo-breach-log.json", api.sandbox.stack.clock.now());
    const counter = countRequests(api);
    const answers = await Promise.all(Array.from({ length: 32 }, () => postAlert(api as TestApi, alert)));
    const { byRequest } = counter.counts();

    expect(answers.filter((a) => a.json.outcome === "diagnose")).toHaveLength(1);
    expect(answers.filter((a) => a.json.outcome === "duplicate")).toHaveLength(31);
    // Copies that read the row before the first one saved it wait for their turn and decide on what it saved: no second write, no lost race.
    expect((byRequest["POST incidents"] ?? 0) + (byRequest["PUT incidents"] ?? 0)).toBe(1);
    // A copy that comes while a read of the row is in flight waits for the next read, which serves every copy that came meanwhile.
    // How many reads that makes depends on how the copies arrive (about 5-9 here), so the bound is loose: at most one read per two
    // copies, where reading once per copy made 32 (test/incidents/sharedReads.test.ts pins the sharing itself).
    expect(byRequest["GET incidents"] ?? 0).toBeLessThanOrEqual(16);
    expect(await api.sandbox.stack.root.alertsFor(silentLogger).current()).toMatchObject({ rpoBreached: true });
    const audited = (await api.sandbox.stack.root.audit.list()).filter((e) => e.action.startsWith("alert fired"));
    expect(audited).toHaveLength(32);
  });
});
