import { z } from "zod";
import type { HttpRoute } from "../hostTypes.js";
import { problem } from "./problem.js";
import { RETRY_AFTER_SECONDS } from "./responses.js";
import { userRoute } from "./route.js";
import { zodBody } from "./zodBody.js";

const KillSwitchBody = z.strictObject({ on: z.boolean(), reason: z.string().trim().min(3, "say why, in a few words (at least 3 characters)").max(500) });

/**
 * POST /api/killswitch (admin) {on, reason}: while on, alerts start no failover and scheduled
 * drills are skipped; runs people start over HTTP are not affected (they are the override).
 */
export const killSwitch: HttpRoute = userRoute({
  name: "killSwitch",
  methods: ["POST"],
  route: "killswitch",
  role: "admin",
  action: "kill switch",
  async handle({ root, actor, log, body }) {
    const parsed = await body(zodBody(KillSwitchBody));
    if (!parsed.ok) return parsed.response;
    const state = await root.alertsFor(log).setKillSwitch(parsed.value.on, actor.name, parsed.value.reason);
    return { status: 200, jsonBody: { killSwitch: state.killSwitch } };
  },
});

/**
 * POST /api/incidents/approve (approver): approves the failover the alert policy waits for (after an
 * approval gate, an uncorroborated signal, or a start the run lock refused during a drill), or
 * confirms the outage as the second signal a pending site failover waits for.
 */
export const approveIncident: HttpRoute = userRoute({
  name: "approveIncident",
  methods: ["POST"],
  route: "incidents/approve",
  role: "approver",
  action: "approve incident failover",
  async handle({ root, request, actor, log }) {
    const decision = await root.alertsFor(log).approve(actor.name);
    if (decision.outcome === "ignored") return problem(409, "Nothing to approve", decision.reason, { decision });
    // Approved, but another run (a drill) still holds the estate's run lock, or the kill switch is on: nothing started.
    if (decision.outcome === "blockedByRunLock" || decision.outcome === "blockedByKillSwitch")
      return problem(409, "Not started", decision.reason, { decision });
    if (!decision.runId) return { status: 200, jsonBody: decision };
    return {
      status: 202,
      headers: { location: new URL(`/api/runs/${encodeURIComponent(decision.runId)}`, request.url).toString(), "retry-after": String(RETRY_AFTER_SECONDS) },
      jsonBody: decision,
    };
  },
});
