import { readFileSync } from "node:fs";
import { loadEstateFile } from "../../shared/config/loadEstateFile.js";
import { startSandbox } from "../sandbox/startSandbox.js";
import type { Benchmark } from "./benchmark.js";

const FIXTURES = [
  "expressroute-primary-down.json",
  "expressroute-secondary-down.json",
  "expressroute-primary-arp-down.json",
  "nat-unavailable-resourcehealth.json",
  "rpo-breach-log.json",
];
const DELIVERIES = 600;
const IN_FLIGHT = 32;

/**
 * An Action Group storm through the sandbox's HTTP path: the same outage's alerts delivered
 * hundreds of times (as retries and several rules would), 32 at a time. Measures acknowledgements
 * per second, p50/p99 acknowledgement time, and how many runs the storm started (must be 1).
 */
export const alertStorm: Benchmark = {
  name: "alert-storm",
  async run(emit) {
    const estate = await loadEstateFile("estate/sample-estate.json");
    // Both circuits really down in simulated Azure, so the policy's source check agrees with the alerts.
    const sandbox = await startSandbox({
      estate,
      port: 0,
      alertAuth: "key",
      log: () => undefined,
      faults: { health: { expressRouteDown: ["er-contoso-primary", "er-contoso-secondary"] } },
    });
    try {
      // Alerts older than alerting.maxAlertAgeMinutes are refused: deliver them as fired now.
      const firedNow = (text: string): string => text.replace(/"firedDateTime": "[^"]+"/, `"firedDateTime": "${sandbox.stack.clock.now().toISOString()}"`);
      const bodies = FIXTURES.map((f) => firedNow(readFileSync(`test/fixtures/alerts/${f}`, "utf8")));
      const headers = { "x-functions-key": sandbox.identity.alertKey, "content-type": "application/json" };
      const latencies: number[] = [];
      const statuses = new Map<number, number>();
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (next < DELIVERIES) {
            const body = bodies[next++ % bodies.length] ?? "";
            const t = performance.now();
            const response = await fetch(`${sandbox.url}/api/alerts`, { method: "POST", headers, body });
            await response.arrayBuffer();
            latencies.push(performance.now() - t);
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      await sandbox.idle();
      const runs = await sandbox.stack.store.listRuns(estate.name);
      latencies.sort((a, b) => a - b);
      const pct = (p: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0).toFixed(1));
      emit({
        deliveries: DELIVERIES,
        concurrency: IN_FLIGHT,
        deliveriesPerSecond: Number((DELIVERIES / seconds).toFixed(1)),
        ackP50Ms: pct(0.5),
        ackP99Ms: pct(0.99),
        statuses: Object.fromEntries(statuses),
        runsStarted: runs.length,
        runsStartedTarget: 1,
        runOutcome: runs[0]?.status ?? null,
        failoverCallsMax: Math.max(0, ...Object.values(sandbox.stack.azure.stats().failoverCalls)),
      });
    } finally {
      await sandbox.stop();
    }
  },
};
