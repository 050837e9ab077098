import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { loadEstateFile } from "../../shared/config/loadEstateFile.js";
import { startAzurite } from "../azurite.js";
import { startSandbox } from "../sandbox/startSandbox.js";
import type { Benchmark } from "./benchmark.js";
import { countTableOperations } from "./tableOperations.js";

const FIXTURES = [
  "expressroute-primary-down.json",
  "expressroute-secondary-down.json",
  "expressroute-primary-arp-down.json",
  "nat-unavailable-resourcehealth.json",
  "rpo-breach-log.json",
];
const DELIVERIES = 600;
const IN_FLIGHT = 32;

/** Issue 18's goals for a storm at 32 in flight. */
const TARGETS = { deliveriesPerSecondTarget: 500, ackP99MsTarget: 200, runsStartedTarget: 1, failoverCallsMaxTarget: 1 } as const;

/**
 * An Action Group storm through the sandbox's HTTP path: the same outage's alerts delivered
 * hundreds of times (as retries and several rules would), 32 at a time. Measures acknowledgements
 * per second, p50/p99 acknowledgement time, the Table Storage requests the alert path made per
 * delivery (its own, not those of the run it started), and how many runs the storm started and
 * failover calls each VM got (must be 1 and 1).
 */
export const alertStorm: Benchmark = {
  name: "alert-storm",
  async run(emit) {
    const estate = await loadEstateFile("estate/sample-estate.json");
    const azurite = await startAzurite("table");
    // Both circuits really down in simulated Azure, so the policy's source check agrees with the alerts.
    const sandbox = await startSandbox({
      estate,
      tableEndpoint: azurite.tableEndpoint,
      port: 0,
      alertAuth: "key",
      log: () => undefined,
      faults: { health: { expressRouteDown: ["er-contoso-primary", "er-contoso-secondary"] } },
    });
    // The Action Group is another machine: keep-alive connections and node:http, the cheapest client, so the load generator takes little of this process.
    const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
    try {
      // Alerts older than alerting.maxAlertAgeMinutes are refused: deliver them as fired now.
      const firedNow = (text: string): string => text.replace(/"firedDateTime": "[^"]+"/, `"firedDateTime": "${sandbox.stack.clock.now().toISOString()}"`);
      const bodies = FIXTURES.map((f) => firedNow(readFileSync(`test/fixtures/alerts/${f}`, "utf8")));
      const url = new URL("/api/alerts", sandbox.url);
      const post = (body: string): Promise<number> =>
        new Promise((resolve, reject) => {
          const headers = { "x-functions-key": sandbox.identity.alertKey, "content-type": "application/json", "content-length": Buffer.byteLength(body) };
          const req = request(url, { method: "POST", headers, agent }, (response) => {
            response.resume();
            response.on("end", () => resolve(response.statusCode ?? 0));
            response.on("error", reject);
          });
          req.on("error", reject);
          req.end(body);
        });
      const latencies: number[] = [];
      const statuses = new Map<number, number>();
      let next = 0;
      const tableOps = countTableOperations(azurite.tableEndpoint, { tablePrefix: sandbox.stack.tablePrefix, servingHttp: true });
      const started = performance.now();
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (next < DELIVERIES) {
            const body = bodies[next++ % bodies.length] ?? "";
            const t = performance.now();
            const status = await post(body);
            latencies.push(performance.now() - t);
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const ops = tableOps.counts();
      tableOps.stop();
      await sandbox.idle();
      const runs = await sandbox.stack.store.listRuns(estate.name);
      latencies.sort((a, b) => a - b);
      const pct = (p: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0).toFixed(1));
      emit({
        deliveries: DELIVERIES,
        concurrency: IN_FLIGHT,
        deliveriesPerSecond: Number((DELIVERIES / seconds).toFixed(1)),
        deliveriesPerSecondTarget: TARGETS.deliveriesPerSecondTarget,
        ackP50Ms: pct(0.5),
        ackP99Ms: pct(0.99),
        ackP99MsTarget: TARGETS.ackP99MsTarget,
        statuses: Object.fromEntries(statuses),
        tableOpsPerAlert: Number((ops.total / DELIVERIES).toFixed(3)),
        tableOpsOfAlerts: ops.byRequest,
        runsStarted: runs.length,
        runsStartedTarget: TARGETS.runsStartedTarget,
        runOutcome: runs[0]?.status ?? null,
        failoverCallsMax: Math.max(0, ...Object.values(sandbox.stack.azure.stats().failoverCalls)),
        failoverCallsMaxTarget: TARGETS.failoverCallsMaxTarget,
      });
    } finally {
      agent.destroy();
      await sandbox.stop();
      await azurite.stop();
    }
  },
};
