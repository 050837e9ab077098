import { parseManualRunRequest } from "../../runs/failoverRequest.js";
import { startManualRun } from "../../runs/manualRuns.js";
import type { HttpRoute } from "../hostTypes.js";
import { problem } from "./problem.js";
import { accepted, runLinks } from "./responses.js";
import { userRoute } from "./route.js";

export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * POST /api/failover (operator): start a run, or preview it with `dryRun`. A run answers like an
 * ARM long-running operation: 202, the run id, `Location` to follow and `Retry-After`. An
 * `Idempotency-Key` makes a retried request answer the same run.
 */
export const failover: HttpRoute = userRoute({
  name: "failover",
  methods: ["POST"],
  route: "failover",
  role: "operator",
  action: "start run",
  async handle({ root, request, actor, log, refuse, body }) {
    const parsed = await body((value) => {
      const result = parseManualRunRequest(value, root.estate, root.clock.now());
      if (result.ok) return result;
      return {
        ok: false,
        field: result.problems[0]?.field ?? "(body)",
        detail: result.problems.map((p) => `${p.field}: ${p.message}`).join("; "),
        extra: { problems: result.problems },
      };
    });
    if (!parsed.ok) return parsed.response;
    const key = request.headers.get("idempotency-key") ?? undefined;
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key))
      return refuse("invalid", `Idempotency-Key: 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters`, { field: "Idempotency-Key" });
    const outcome = await startManualRun(
      {
        estate: root.estate,
        clock: root.clock,
        ...root.runApi.reads,
        engine: root.engineFor(log),
        runs: root.runs,
        idempotency: root.runApi.idempotency,
        audit: root.audit,
        log,
      },
      { value: parsed.value, actor, ...(key !== undefined ? { idempotencyKey: key } : {}) },
    );
    switch (outcome.kind) {
      case "preview":
        return { status: 200, jsonBody: outcome.preview };
      case "refused":
        return problem(outcome.status, outcome.title, outcome.detail, { ...outcome.extra });
      case "started":
        return accepted(request, outcome.runId, {
          runId: outcome.runId,
          status: "running",
          mode: parsed.value.request.mode,
          repeated: outcome.repeated,
          ...runLinks(outcome.runId),
        });
    }
  },
});
