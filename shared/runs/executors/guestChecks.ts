import type { GuestChecksStep, HealthProbeStep, VerifyTargetDcStep } from "../../domain/plan.js";
import type { DomainControllerAnswer } from "../../ports/directoryProbe.js";
import { isDrError } from "../../ports/errors.js";
import type { GuestCommand } from "../../ports/guestCommands.js";
import { buildGuestScript, parseGuestOutput, type GuestCheckSpec } from "../guestScripts.js";
import type { StepContext, StepExecutor } from "../stepContext.js";
import { done, failed, waiting, type StepOutcome } from "../stepOutcome.js";
import { failoverStepId } from "../../domain/planFailover.js";
import { findVm } from "./estateLookup.js";
import type { TestFailoverOutput } from "./failover.js";

/**
 * Runs checks inside a VM with one Run Command and follows it across invocations.
 * Checks are read-only, so a crash before the poller state is saved only costs a second command.
 */
async function runGuestChecks(context: StepContext, command: GuestCommand, checks: readonly GuestCheckSpec[]): Promise<StepOutcome> {
  const { deps, journal, timing } = context;
  try {
    const started = !journal.resumeToken;
    const progress = journal.resumeToken ? await deps.guest.resume(command, journal.resumeToken) : await deps.guest.start(command);
    if (progress.status === "running") {
      // First look once a command usually has answered; then the short operation poll. The poller state
      // is recorded with the next wake-up, in one write.
      return waiting(started ? timing.guestCommandSeconds : timing.operationPollSeconds, undefined, { resumeToken: progress.resumeToken });
    }
    const results = parseGuestOutput(progress.result.stdout, checks);
    const failures = results.filter((r) => !r.passed);
    if (failures.length > 0) {
      return failed(`${context.step.target}: ${failures.map((f) => `${f.name} failed (${f.detail})`).join("; ")}`, false);
    }
    return done(results.map((r) => `${r.name}: ${r.detail}`).join("; "), results);
  } catch (error) {
    // The command ran into a VM whose agent never reported (Azure fails it after ~25 min with
    // VMAgentStatusCommunicationError): another try waits as long again, so a person must act.
    if (isDrError(error) && error.message.includes("VMAgentStatusCommunicationError")) {
      await context.saveJournal({ resumeToken: undefined });
      return failed(
        `${context.step.target}: the Azure VM agent does not answer in the recovered VM, so its checks cannot run (${error.message}); install the agent in the vSphere VM, or check its connectivity to 168.63.129.16, then resume the run`,
        false,
      );
    }
    // A VM that has just booted may not have its agent ready, and Azure runs one command per VM
    // at a time (a redelivery may find its own earlier command still running): try again later.
    if (isDrError(error) && (error.code === "Conflict" || error.code === "NotFound")) {
      await context.saveJournal({ resumeToken: undefined });
      return failed(`${context.step.target}: Run Command not accepted yet (${error.message})`, true, context.timing.guestBusySeconds);
    }
    throw error;
  }
}

/**
 * The target-region DC, checked from the network without running code on it: it must be listed by
 * its own DNS server as a DC of the domain and answer LDAP and Kerberos. The other DCs in the SRV
 * answer (the lost site's) are not required to answer: with the site down they cannot.
 */
export const executeVerifyTargetDc: StepExecutor<VerifyTargetDcStep> = async (context) => {
  const { address, domain } = context.deps.estate.targetDomainController;
  const answer = await context.deps.directory.probeDomainController({ address, domain });
  const problems: string[] = [];
  if (answer.dnsError) problems.push(`its DNS server did not answer _ldap._tcp.dc._msdcs.${domain} (${answer.dnsError})`);
  else if (!answer.advertised.some((a) => a.address === address)) {
    problems.push(
      `it is not among the DCs its DNS lists for ${domain} (${answer.advertised.map((a) => `${a.host} ${a.address ?? "unresolved"}`).join(", ") || "none"})`,
    );
  }
  if (!answer.ldap.open) problems.push(`LDAP: ${answer.ldap.detail}`);
  if (!answer.kerberos.open) problems.push(`Kerberos: ${answer.kerberos.detail}`);
  const others = answer.advertised.filter((a) => a.address !== address).length;
  if (problems.length > 0) return failed(`target DC ${address} (${domain}): ${problems.join("; ")}`, true, context.timing.operationPollSeconds);
  return done(
    `target DC ${address} advertises as a DC of ${domain} and answers LDAP and Kerberos${others > 0 ? ` (${others} other DC(s) listed, not required)` : ""}${rootDseNote(answer.rootDse)}`,
  );
};

/**
 * What the DC's rootDSE says, for people only: isSynchronized is FALSE on a DC that could not finish
 * its initial sync since it started, which is expected while its partners are the lost site's DCs,
 * so it never fails the gate (that would repeat the replication test's mistake).
 */
function rootDseNote(rootDse: DomainControllerAnswer["rootDse"]): string {
  if (!rootDse) return "";
  if (rootDse.error) return `; rootDSE not read (${rootDse.error})`;
  const synced =
    rootDse.isSynchronized === undefined ? "not reported" : rootDse.isSynchronized ? "TRUE" : "FALSE (expected while its replication partners are unreachable)";
  return `; rootDSE: ${rootDse.dnsHostName ?? "no dnsHostName"}, isSynchronized ${synced}`;
}

export const executeGuestChecks: StepExecutor<GuestChecksStep> = async (context) => {
  const { estate } = context.deps;
  const vm = findVm(estate, context.step.vm);
  const { step } = context;
  const checks: GuestCheckSpec[] = step.checks.map((name) =>
    name === "databaseReachable"
      ? { name, host: estate.database.host, port: estate.database.port }
      : name === "domainController"
        ? { name, domain: estate.targetDomainController.domain }
        : { name },
  );
  if (step.httpProbeUrl) checks.push({ name: "httpHealth", url: step.httpProbeUrl });
  const vmId = context.run.mode === "test" ? await testVmIdOf(context) : vm.recoveryVmId;
  if (typeof vmId !== "string") return vmId;
  return runGuestChecks(context, { vmId, os: vm.os, script: buildGuestScript(vm.os, checks) }, checks);
};

/** The test VM the VM's test failover created, as its job named it (recorded by the failover step). */
async function testVmIdOf(context: StepContext<GuestChecksStep>): Promise<string | StepOutcome> {
  const record = await context.deps.store.getStep(context.run.runId, failoverStepId(context.step.vm));
  const output = record?.value.journal.output as Partial<TestFailoverOutput> | undefined;
  return output?.testVmId ?? failed(`${context.step.vm}: the test failover step recorded no test VM id`, false);
}

export const executeHealthProbe: StepExecutor<HealthProbeStep> = async (context) => {
  const { step, deps, timing } = context;
  const result = await deps.probe.probe(step.url);
  return result.ok ? done(`${step.url}: ${result.detail}`) : failed(`${step.url}: ${result.detail}`, true, timing.operationPollSeconds);
};
