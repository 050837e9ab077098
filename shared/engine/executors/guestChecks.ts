import type { GuestChecksStep, HealthProbeStep, VerifyTargetDcStep } from "../../domain/plan.js";
import { isDrError } from "../../ports/errors.js";
import type { GuestCommand } from "../../ports/guestCommands.js";
import { buildGuestScript, parseGuestOutput, type GuestCheckSpec } from "../guestScripts.js";
import type { StepContext, StepExecutor } from "../stepContext.js";
import { done, failed, waiting, type StepOutcome } from "../stepOutcome.js";
import { findVm, guestVmId } from "./estateLookup.js";

/**
 * Runs checks inside a VM with one Run Command and follows it across invocations.
 * Checks are read-only, so a crash before the poller state is saved only costs a second command.
 */
async function runGuestChecks(context: StepContext, command: GuestCommand, checks: readonly GuestCheckSpec[]): Promise<StepOutcome> {
  const { deps, journal, timing } = context;
  try {
    const progress = journal.resumeToken ? await deps.guest.resume(command, journal.resumeToken) : await deps.guest.start(command);
    if (progress.status === "running") {
      await context.saveJournal({ resumeToken: progress.resumeToken });
      return waiting(timing.operationPollSeconds);
    }
    const results = parseGuestOutput(progress.result.stdout, checks);
    const failures = results.filter((r) => !r.passed);
    if (failures.length > 0) {
      return failed(`${context.step.target}: ${failures.map((f) => `${f.name} failed (${f.detail})`).join("; ")}`, false);
    }
    return done(results.map((r) => `${r.name}: ${r.detail}`).join("; "), results);
  } catch (error) {
    // A VM that has just booted may not have its agent ready, and Azure runs one command per VM
    // at a time (a redelivery may find its own earlier command still running): try again later.
    if (isDrError(error) && (error.code === "Conflict" || error.code === "NotFound")) {
      await context.saveJournal({ resumeToken: undefined });
      return failed(`${context.step.target}: Run Command not accepted yet (${error.message})`, true, context.timing.guestBusySeconds);
    }
    throw error;
  }
}

export const executeVerifyTargetDc: StepExecutor<VerifyTargetDcStep> = (context) => {
  const { vmId, domain } = context.deps.estate.targetDomainController;
  const checks: GuestCheckSpec[] = [{ name: "targetDc", domain }];
  return runGuestChecks(context, { vmId, os: "windows", script: buildGuestScript("windows", checks) }, checks);
};

export const executeGuestChecks: StepExecutor<GuestChecksStep> = (context) => {
  const { estate } = context.deps;
  const vm = findVm(estate, context.step.vm);
  const { step } = context;
  const checks: GuestCheckSpec[] = step.checks.map((name) =>
    name === "databaseReachable" ? { name, host: estate.database.host, port: estate.database.port } : { name },
  );
  if (step.httpProbeUrl) checks.push({ name: "httpHealth", url: step.httpProbeUrl });
  const command = { vmId: guestVmId(vm, context.run.mode), os: vm.os, script: buildGuestScript(vm.os, checks) };
  return runGuestChecks(context, command, checks);
};

export const executeHealthProbe: StepExecutor<HealthProbeStep> = async (context) => {
  const { step, deps, timing } = context;
  const result = await deps.probe.probe(step.url);
  return result.ok ? done(`${step.url}: ${result.detail}`) : failed(`${step.url}: ${result.detail}`, true, timing.operationPollSeconds);
};
