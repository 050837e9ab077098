import type { RunMode } from "../domain/plan.js";
import type { RunStatus, StepRecord } from "../ports/runStore.js";
import type { DnsChange, EstateAfterRun, RouteChange, TestVmCleanup } from "./runReport.js";

interface RunFacts {
  readonly runId: string;
  readonly mode: RunMode;
  readonly outcome: RunStatus;
  readonly dnsChanges: readonly DnsChange[];
  readonly routeChanges: readonly RouteChange[];
  /** A failed or cancelled drill's cleanup (testVmCleanup.ts); null for any other run. */
  readonly testVmCleanup: TestVmCleanup | null;
}

const vmsOf = (records: readonly StepRecord[], kind: string, status?: string): string[] =>
  records.flatMap((r) => (r.step.kind === kind && "vm" in r.step && (status === undefined || r.status === status) ? [r.step.vm] : []));

/**
 * What the run leaves behind, from its step records: which VMs run in Azure uncommitted, which test
 * VMs still exist, which names and routes point at the recovery site, and what a person does next.
 * Pure; the words name the API actions (docs/http-api.md) a person or the console takes.
 */
export function estateAfterRun(run: RunFacts, records: readonly StepRecord[]): EstateAfterRun {
  // A failback's "failed over" is its planned failover back to vSphere; its reprotect is towards Azure.
  const failback = run.mode === "failback";
  const failedOver = vmsOf(records, failback ? "plannedFailback" : "failover", "succeeded");
  const committed = new Set(vmsOf(records, "commit", "succeeded"));
  const cleaned = new Set(vmsOf(records, "cleanupTestFailover", "succeeded"));
  const reprotected = vmsOf(records, failback ? "reprotectToAzure" : "reprotect", "succeeded");
  const test = run.mode === "test";
  const failedOverNotCommitted = test ? [] : failedOver.filter((vm) => !committed.has(vm));
  // A drill's own steps do not see its cleanup run: once that removed them (or found none), none is left.
  const testVmsLeft = test && run.testVmCleanup?.state !== "cleanedUp" ? failedOver.filter((vm) => !cleaned.has(vm)) : [];
  const state = {
    failedOverNotCommitted,
    committed: failedOver.filter((vm) => committed.has(vm)),
    testVmsLeft,
    testVmCleanup: run.testVmCleanup,
    reprotected,
    dnsMoved: run.dnsChanges.map((c) => c.record),
    routesMoved: run.routeChanges.map((c) => c.route),
  };
  return { ...state, summary: summaryOf(run, state), nextSteps: nextStepsOf(run, state, records) };
}

type State = Omit<EstateAfterRun, "summary" | "nextSteps">;

function summaryOf(run: RunFacts, s: State): string {
  if (run.mode === "test") return `${testVmsSentence(s)}; production was not touched.`;
  if (run.mode === "failback-prep") {
    return s.reprotected.length > 0 ? `${s.reprotected.length} VM(s) replicate back to the on-premises site (${s.reprotected.join(", ")}).` : "No VM was reprotected.";
  }
  if (run.mode === "failback") {
    const parts = [
      s.failedOverNotCommitted.length > 0 && `${s.failedOverNotCommitted.length} VM(s) failed back to vSphere and not committed (${s.failedOverNotCommitted.join(", ")})`,
      s.committed.length > 0 && `${s.committed.length} VM(s) failed back and committed`,
      s.reprotected.length > 0 && `${s.reprotected.length} VM(s) protected towards Azure again`,
      s.dnsMoved.length > 0 && `${s.dnsMoved.length} DNS record(s) set back to their on-premises values`,
      s.routesMoved.length > 0 && `${s.routesMoved.length} route(s) set back`,
    ].filter((p): p is string => typeof p === "string");
    return parts.length === 0 ? "Nothing was failed back: the site still runs in Azure." : `${parts.join("; ")}.`;
  }
  const parts = [
    s.failedOverNotCommitted.length > 0 && `${s.failedOverNotCommitted.length} VM(s) failed over and not committed (${s.failedOverNotCommitted.join(", ")})`,
    s.committed.length > 0 && `${s.committed.length} VM(s) failed over and committed`,
    s.dnsMoved.length > 0 && `${s.dnsMoved.length} DNS record(s) point at the recovery site`,
    s.routesMoved.length > 0 && `${s.routesMoved.length} route(s) go through the recovered NAT`,
  ].filter((p): p is string => typeof p === "string");
  return parts.length === 0 ? "Nothing was failed over: the estate runs where it did before the run." : `${parts.join("; ")}.`;
}

/** Where a drill's test VMs are: still running, waiting for their cleanup (until when, and why), or removed (when, by which run). */
function testVmsSentence(s: State): string {
  const c = s.testVmCleanup;
  if (c?.state === "cleanedUp")
    return c.runId === null ? `No test VM was left: the automatic cleanup found none in ASR at ${c.at}` : `The test VMs were removed by cleanup run ${c.runId}, which ended at ${c.at}`;
  if (s.testVmsLeft.length === 0) return "No test VM is left";
  const left = `${s.testVmsLeft.length} test VM(s) (${s.testVmsLeft.join(", ")})`;
  if (c === null) return `${left} still run in the isolated network`;
  switch (c.state) {
    case "pending":
      return c.dueAt === null
        ? `${left} remain in the isolated network until the automatic cleanup, once the drill's grace period is over`
        : `${left} remain in the isolated network until the automatic cleanup at ${c.dueAt}`;
    case "putOff":
      return `${left} remain in the isolated network until ${c.dueAt}: ${c.by} put the automatic cleanup off (${c.reason})`;
    case "running":
      return `${left} are being removed by cleanup run ${c.runId}, started at ${c.since}`;
    case "failed":
      return `${left} remain in the isolated network: cleanup run ${c.runId} ended at ${c.at} without removing them (${c.reason})${c.automaticDueAt ? `; the automatic cleanup follows at ${c.automaticDueAt}` : ""}`;
    case "gaveUp":
      return `${left} remain in the isolated network: the automatic cleanup gave up at ${c.at}`;
  }
}

/** What an operator does about a drill's test VMs, by where their cleanup is; nothing once they are gone. */
function cleanupStep(runId: string, s: State): string | null {
  const c = s.testVmCleanup;
  if (s.testVmsLeft.length === 0) return null;
  const now = `POST /api/runs/${runId}/cleanup removes them now`;
  if (c === null) return `Clean the test VMs up: a failed or cancelled drill starts its own cleanup run; check it finished, or ${now}.`;
  switch (c.state) {
    case "pending":
    case "putOff":
      return `Inspect the test VMs before the automatic cleanup${c.dueAt ? ` at ${c.dueAt}` : ""}: ${now}, POST /api/runs/${runId}/extend-cleanup keeps them longer.`;
    case "running":
      return `Follow cleanup run ${c.runId} to its end (GET /api/runs/${c.runId}).`;
    case "failed":
    case "gaveUp":
      return `Fix what stopped the cleanup, then ${now}: until they are gone the health check reports them and drills of their VMs are refused.`;
    case "cleanedUp":
      return null;
  }
}

function nextStepsOf(run: RunFacts, s: State, records: readonly StepRecord[]): string[] {
  const actions = `/api/runs/${run.runId}`;
  const failedSteps = records.filter((r) => r.status === "failed").map((r) => r.step.id);
  const waitingGate = records.find((r) => r.step.kind === "awaitDecision" && (r.status === "waiting" || r.status === "running"));
  if (run.outcome === "running") {
    if (waitingGate && waitingGate.step.kind === "awaitDecision") return [`The run waits for a person to ${waitingGate.step.decision} it (POST ${actions}/${waitingGate.step.decision}).`];
    return ["The run is in progress: follow it; nothing to do yet."];
  }
  if (run.outcome === "succeeded") {
    if (run.mode === "test") return ["Nothing: the drill is over and cleaned up."];
    if (run.mode === "failback-prep")
      return ["When replication back is healthy (a failback dry run shows each VM), fail back: POST /api/failover with mode 'failback'."];
    if (run.mode === "failback") return ["Nothing: the site runs on premises again and replicates to Azure."];
    return ["The site runs in Azure: check the applications, then prepare failback (reprotect) once the site is back."];
  }
  const steps: string[] = [];
  if (run.outcome === "failed" && failedSteps.length > 0) steps.push(`Fix the cause of the failed step(s) (${failedSteps.join(", ")}), then resume the run (POST ${actions}/resume): done steps are not repeated.`);
  if (run.mode === "test") {
    const cleanup = cleanupStep(run.runId, s);
    if (cleanup) steps.push(cleanup);
    return steps.length > 0 ? steps : ["Nothing is left behind: start a new drill when ready."];
  }
  if (run.mode === "failback") {
    if (s.failedOverNotCommitted.length > 0)
      steps.push(`${s.failedOverNotCommitted.join(", ")} run on vSphere uncommitted: resuming the run commits them and protects them towards Azure again.`);
    const refused = records.filter((r) => r.status === "failed" && (r.step.kind === "restoreDns" || r.step.kind === "restoreRoute")).map((r) => r.step.target);
    if (refused.length > 0) steps.push(`${refused.join(", ")} changed since the failover and were left as found: set them as they should be now, then resume.`);
    return steps.length > 0 ? steps : ["Nothing was changed: start the failback again when the cause is fixed."];
  }
  if (s.failedOverNotCommitted.length > 0) {
    const vms = s.failedOverNotCommitted.join(", ");
    steps.push(
      run.outcome === "cancelled"
        ? `A cancelled run is not resumed: ${vms} run in Azure uncommitted. Commit them in Site Recovery once they serve, or change their recovery point first (a commit makes the point final).`
        : `Until committed, ${vms} can still change recovery point in Site Recovery; resuming the run checks and then commits them.`,
    );
  }
  if (s.dnsMoved.length > 0 || s.routesMoved.length > 0) steps.push("DNS records and routes already moved stay where they are: the VMs behind them must serve, or set them back by hand (old values are listed below).");
  if (steps.length === 0) steps.push("Nothing was changed: start a new run when the cause is fixed.");
  return steps;
}
