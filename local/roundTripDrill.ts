import type { RunDecision } from "../shared/domain/plan.js";
import { failover } from "../shared/host/http/failover.js";
import { runActions } from "../shared/host/http/runActions.js";
import type { ApiRequest, HttpRoute, Invocation } from "../shared/host/hostTypes.js";
import type { RunRecord, StepRecord } from "../shared/ports/runStore.js";
import { useAppRoot } from "../shared/root/appRoot.js";
import type { DevIdentity } from "./devIdentity.js";
import type { LocalStack } from "./localStack.js";

/** The two people of the round trip: one asks for each run, another approves and commits it (the approver rule). */
export const ROUND_TRIP_PEOPLE = {
  requester: { name: "otto.operator@contoso.com", oid: "00000000-0000-4000-8000-0000000000a1", roles: ["operator"] },
  approver: { name: "anna.approver@contoso.com", oid: "00000000-0000-4000-8000-0000000000a2", roles: ["approver"] },
} as const;

/** How the drill waits for replication back to vSphere: look (a dry run), then move simulated time on. */
export const REPLICATION_POLL_MINUTES = 10;
export const REPLICATION_WAIT_LIMIT_HOURS = 48;

export type RoundTripPhaseMode = "unplanned" | "failback-prep" | "failback";

export interface RoundTripRunOutcome {
  readonly mode: RoundTripPhaseMode;
  readonly run: RunRecord;
  readonly steps: readonly StepRecord[];
}

export interface RoundTripDrive {
  /** The runs in the order they ran; fewer than three when one of them did not succeed. */
  readonly runs: readonly RoundTripRunOutcome[];
  /** Dry-run looks at replication back before the failback, and the simulated time they waited. */
  readonly replicationWait: { readonly looks: number; readonly simulatedSeconds: number; readonly caughtUp: boolean };
  /** Why the round trip stopped early (a refused request, a run that did not succeed). */
  readonly stoppedBecause: string | null;
}

interface Answer {
  readonly status: number;
  readonly json: Record<string, unknown>;
}

const quiet = (): void => undefined;
const invocation = (name: string): Invocation => ({ invocationId: `drill-${name}`, functionName: name, info: quiet, warn: quiet, error: quiet });

/**
 * The round trip as operators run it, through the product's HTTP routes in process: POST
 * /api/failover for each run (the requester), POST /api/runs/{runId}/approve | commit for each gate
 * (the approver), the step queue delivered between them as the Functions host would. Between the
 * failback preparation and the failback, dry runs show how far replication back to vSphere is while
 * simulated time moves on (nothing sleeps).
 */
export async function driveRoundTrip(
  stack: LocalStack,
  identity: DevIdentity,
  hooks: { readonly print: (line: string) => void; readonly onPhase: (title: string) => void },
): Promise<RoundTripDrive> {
  useAppRoot(stack.root);
  const requester = await identity.issueToken(ROUND_TRIP_PEOPLE.requester);
  const approver = await identity.issueToken(ROUND_TRIP_PEOPLE.approver);
  const runs: RoundTripRunOutcome[] = [];
  const noWait = { looks: 0, simulatedSeconds: 0, caughtUp: false };
  const phase = async (mode: RoundTripPhaseMode, title: string, body: Record<string, unknown>): Promise<RoundTripRunOutcome | string> => {
    hooks.onPhase(title);
    const started = await call(failover, "failover", {}, requester, { mode, scope: "all", ...body });
    if (started.status !== 202) return `POST /api/failover (${mode}) answered ${started.status}: ${describe(started.json)}`;
    const runId = String(started.json["runId"]);
    hooks.print(`  run ${runId} requested by ${ROUND_TRIP_PEOPLE.requester.name}`);
    const outcome = await followRun(stack, runId, approver, hooks.print);
    runs.push({ mode, ...outcome });
    return outcome.run.status === "succeeded" ? { mode, ...outcome } : `run ${runId} (${mode}) ${outcome.run.status}: ${outcome.run.failureReason ?? ""}`;
  };

  const there = await phase("unplanned", "Phase 1 of 4: unplanned failover of the site to Azure, then commit", {
    reason: "round trip drill: the on-premises site is lost",
  });
  if (typeof there === "string") return { runs, replicationWait: noWait, stoppedBecause: there };
  const failoverRunId = there.run.runId;
  const prep = await phase("failback-prep", "Phase 2 of 4: failback preparation, reprotect towards vSphere", {
    reason: "round trip drill: the on-premises site is back",
    failoverRunId,
  });
  if (typeof prep === "string") return { runs, replicationWait: noWait, stoppedBecause: prep };

  hooks.onPhase("Phase 3 of 4: wait until replication back to vSphere has caught up");
  const replicationWait = await waitForReplicationBack(stack, requester, failoverRunId, hooks.print);
  const back = await phase("failback", "Phase 4 of 4: failback to vSphere, commit, protect towards Azure again", {
    reason: "round trip drill: fail back to the on-premises site",
    failoverRunId,
  });
  return { runs, replicationWait, stoppedBecause: typeof back === "string" ? back : null };
}

/**
 * Delivers the run's steps until it ends; at each gate the approver decides (approve, commit), as a
 * person would on the run's page. A run that stops moving without a gate to decide is reported as it is.
 */
async function followRun(stack: LocalStack, runId: string, approver: string, print: (line: string) => void): Promise<{ run: RunRecord; steps: StepRecord[] }> {
  const decided = new Set<RunDecision>();
  for (;;) {
    await stack.drain();
    const run = (await stack.store.getRun(runId))?.value;
    if (!run) throw new Error(`run ${runId} vanished`);
    const steps = await stack.store.listSteps(runId);
    if (run.status !== "running") return { run, steps };
    const gate = steps.find((s) => s.step.kind === "awaitDecision" && (s.status === "waiting" || s.status === "running"));
    if (!gate || gate.step.kind !== "awaitDecision" || decided.has(gate.step.decision)) return { run, steps };
    const decision = gate.step.decision;
    decided.add(decision);
    const route = runActions.find((r) => r.route === `runs/{runId}/${decision}`);
    if (!route) throw new Error(`no route for ${decision}`);
    const answer = await call(route, `runs/${runId}/${decision}`, { runId }, approver, undefined);
    print(`  ${decision} by ${ROUND_TRIP_PEOPLE.approver.name}: HTTP ${answer.status}${answer.status >= 400 ? ` ${describe(answer.json)}` : ""}`);
  }
}

/** A failback dry run, as far as the drill reads it (runPreview.ts: `vms[].failback`, the DNS and route changes). */
interface FailbackPreview {
  readonly vms?: readonly {
    readonly vm: string;
    readonly failback?: { readonly ready: boolean; readonly progressPercentage?: number; readonly detail: string };
  }[];
  readonly problems?: readonly { readonly message: string }[];
  readonly dnsChanges?: readonly {
    readonly record: string;
    readonly from: readonly string[] | null;
    readonly to: readonly string[];
    readonly removed?: true;
  }[];
  readonly routeChanges?: readonly { readonly route: string; readonly from: string | null; readonly to: string | null; readonly removed?: true }[];
}

/**
 * Waits for replication back the way an operator does: a failback dry run says how far each VM is,
 * then simulated time moves on by REPLICATION_POLL_MINUTES (or to the moment simulated Azure next
 * finishes something) until every VM is ready or the limit is reached. The failback run checks again
 * itself, so a limit reached here, or a dry run refused, only hands the wait to it.
 */
async function waitForReplicationBack(
  stack: LocalStack,
  requester: string,
  failoverRunId: string,
  print: (line: string) => void,
): Promise<RoundTripDrive["replicationWait"]> {
  const start = stack.clock.now().getTime();
  const limit = start + REPLICATION_WAIT_LIMIT_HOURS * 3_600_000;
  let looks = 0;
  let shown = "";
  for (;;) {
    const answer = await call(failover, "failover", {}, requester, {
      mode: "failback",
      scope: "all",
      failoverRunId,
      reason: "round trip drill: has replication back caught up?",
      dryRun: true,
    });
    looks += 1;
    const simulatedSeconds = Math.round((stack.clock.now().getTime() - start) / 1000);
    if (answer.status !== 200) {
      print(`  the failback dry run answered ${answer.status}: ${describe(answer.json)}`);
      return { looks, simulatedSeconds, caughtUp: false };
    }
    const preview = answer.json as FailbackPreview;
    const vms = preview.vms ?? [];
    const ready = vms.filter((v) => v.failback?.ready === true).length;
    const progress = vms.flatMap((v) => (v.failback?.ready === false && v.failback.progressPercentage !== undefined ? [v.failback.progressPercentage] : []));
    const state = `replication back: ${ready}/${vms.length} VMs ready${progress.length > 0 ? `, the others' initial replication at ${span(progress)} %` : ""}`;
    if (state !== shown) print(`  ${elapsedMinutes(simulatedSeconds)}  ${state}`);
    shown = state;
    const caughtUp = vms.length > 0 && ready === vms.length;
    if (caughtUp) {
      for (const p of preview.problems ?? []) print(`  problem: ${p.message}`);
      for (const c of preview.dnsChanges ?? [])
        print(
          `  ${c.removed ? "will remove" : "will set back"} ${c.record}: ${(c.from ?? []).join(", ") || "(none)"} -> ${c.removed ? "removed" : c.to.join(", ")}`,
        );
      for (const c of preview.routeChanges ?? [])
        print(`  ${c.removed ? "will remove" : "will set back"} ${c.route}: ${c.from ?? "(none)"} -> ${c.removed ? "removed" : (c.to ?? "(none)")}`);
    }
    if (caughtUp || stack.clock.now().getTime() >= limit) return { looks, simulatedSeconds, caughtUp };
    // To the next look, or sooner to the moment simulated Azure finishes something (a sync catching up).
    const nextLook = stack.clock.now().getTime() + REPLICATION_POLL_MINUTES * 60_000;
    const nextChange = stack.azure.nextCompletionAt()?.getTime() ?? nextLook;
    stack.clock.advanceTo(new Date(Math.min(nextLook, Math.max(nextChange, stack.clock.now().getTime() + 1_000))));
  }
}

async function call(route: HttpRoute, path: string, params: Record<string, string>, token: string, body: unknown): Promise<Answer> {
  const text = body === undefined ? "" : JSON.stringify(body);
  const request: ApiRequest = {
    method: "POST",
    url: `http://127.0.0.1:7071/api/${path}`,
    headers: new Headers({ authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) }),
    params,
    query: new URLSearchParams(),
    text: () => Promise.resolve(text),
  };
  const answer = await route.handler(request, invocation(route.name));
  return { status: answer.status ?? 200, json: (answer.jsonBody ?? {}) as Record<string, unknown> };
}

function describe(json: Record<string, unknown>): string {
  const detail = json["detail"] ?? json["title"];
  return typeof detail === "string" ? detail : JSON.stringify(json).slice(0, 300);
}

function span(values: readonly number[]): string {
  const low = Math.min(...values),
    high = Math.max(...values);
  return low === high ? `${low}` : `${low}-${high}`;
}

function elapsedMinutes(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  return `+${String(Math.floor(minutes / 60)).padStart(2, "0")}h${String(minutes % 60).padStart(2, "0")}`;
}
