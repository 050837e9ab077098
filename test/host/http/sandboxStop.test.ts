import { describe, expect, it } from "vitest";
import { startTestApi } from "./httpHelpers.js";

describe("stopping the sandbox", () => {
  it("stops within seconds while a full-estate drill is in flight, leaving the run as a host shutdown would", async () => {
    const api = await startTestApi();
    const started = await api.call("POST", "/api/failover", {
      as: "operator",
      body: { mode: "test", scope: "all", reason: "drill to interrupt", finish: "automatic" },
    });
    expect(started.status).toBe(202);
    const runId = String(started.json.runId);
    await api.waitForRun(runId, (run) => run.steps.some((s) => s.status === "running" || s.status === "succeeded"));

    const before = Date.now();
    await api.stop();
    expect(Date.now() - before).toBeLessThan(5_000);
    // Nothing was finished on the way out: the run is still running in its table.
    const run = await api.sandbox.stack.store.getRun(runId);
    expect(run?.value.status).toBe("running");
  });
});
