import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useAppRoot } from "../../../shared/root/appRoot.js";
import { DrError } from "../../../shared/ports/errors.js";
import type { RunStore } from "../../../shared/ports/runStore.js";
import { startTestApi, type TestApi } from "./httpHelpers.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.stop());

/** The sandbox's own root with its run store failing as Table Storage does when it cannot be reached. */
function withRunStoreFailing(error: DrError): void {
  const root = api.sandbox.stack.root;
  const failing: RunStore = { ...root.runs, listRuns: () => Promise.reject(error) };
  useAppRoot({ ...root, runs: failing });
}

describe("a dependency that is down", () => {
  it("answers 503 with Retry-After (the client may try again), not 500", async () => {
    withRunStoreFailing(new DrError("StoreUnavailable", "Table Storage unreachable (GET /runs()): ECONNREFUSED"));
    const answer = await api.call("GET", "/api/runs", { as: "reader" });
    expect(answer.status).toBe(503);
    expect(answer.headers.get("retry-after")).toBe("5");
    expect(answer.json).toMatchObject({ title: "Service unavailable", detail: expect.stringContaining("StoreUnavailable") });
  });

  it("passes on the Retry-After a throttled dependency gave", async () => {
    withRunStoreFailing(new DrError("Throttled", "ARM 429", { retryAfterSeconds: 17 }));
    const answer = await api.call("GET", "/api/runs", { as: "reader" });
    expect(answer.status).toBe(503);
    expect(answer.headers.get("retry-after")).toBe("17");
  });

  it("a fault of ours (not a dependency) stays a 500", async () => {
    withRunStoreFailing(new DrError("Unknown", "a bug"));
    expect((await api.call("GET", "/api/runs", { as: "reader" })).status).toBe(500);
    useAppRoot(api.sandbox.stack.root);
    expect((await api.call("GET", "/api/runs", { as: "reader" })).status).toBe(200);
  });
});
