import { updateAdDnsStepId, type RestoreAdDnsStep, type UpdateAdDnsStep } from "../../domain/adDnsSteps.js";
import { recordFqdn } from "../../domain/recordFqdn.js";
import { isDrError } from "../../ports/errors.js";
import type { GuestCommand } from "../../ports/guestCommands.js";
import {
  buildAdDnsWriteScript,
  buildDcDnsReadScript,
  describeAdRecord,
  adRecordKey,
  parseAdDnsWriteOutput,
  parseDcDnsReadOutput,
  sameRecord,
  type AdDnsWrite,
  type AdRecordValue,
} from "../adDnsScript.js";
import type { StepContext, StepExecutor } from "../stepContext.js";
import { done, failed, waiting, type StepOutcome } from "../stepOutcome.js";

/** Which Run Command of the step is in flight (journal.output while one runs). */
interface InFlight {
  readonly inFlight: "read" | "write";
}

/** What a finished AD DNS step keeps: the change it made, or found made. */
export interface AdDnsChange {
  readonly from: AdRecordValue | null;
  readonly to: AdRecordValue | null;
}

/**
 * The failover's flip of a name in the AD-integrated DNS, with the guarantees of the Azure DNS flip:
 * a first Run Command reads the name's A records and their TTL, journaled as `previous` before any
 * write; a second sets them only if they still hold what was read (compare-and-set inside the
 * script), and otherwise writes nothing and the step fails saying what it found. A redelivery finds
 * either the command it started (its poller state) or the record already set (nothing to do).
 */
export const executeUpdateAdDns: StepExecutor<UpdateAdDnsStep> = async (context) => {
  const { step, journal } = context;
  const to: AdRecordValue = { addresses: step.addresses, ttl: step.ttl };
  const previous = journal.previous as AdRecordValue | null | undefined;
  const readRequest = { records: [{ zone: step.zone, name: step.name }], forwarders: [] };
  return followCommands(context, {
    read:
      previous === undefined
        ? {
            script: buildDcDnsReadScript(readRequest),
            onRead: async (stdout) => {
              const held = parseDcDnsReadOutput(stdout, readRequest).records[adRecordKey(step.zone, step.name)];
              if (held === undefined) return failed(`${step.target}: the DC's read printed no result for the name`, true, context.timing.operationPollSeconds);
              // Journaled before any write: the failback sets the name back to exactly this.
              await context.saveJournal({ previous: held, resumeToken: undefined, output: undefined });
              return { write: { zone: step.zone, name: step.name, expect: held, to } };
            },
          }
        : undefined,
    write: previous === undefined ? undefined : { zone: step.zone, name: step.name, expect: previous, to },
    describe: (change) => `${step.target}: ${describeAdRecord(change.from)} -> ${describeAdRecord(change.to)} on the target-region DC`,
  });
};

/**
 * The failback's way back: the value the failover run's flip journaled, written only while the name
 * still holds what that flip wrote (one compare-and-set Run Command); a name someone changed since is
 * left alone and the step fails saying what it holds. A name the failover never changed is not touched.
 */
export const executeRestoreAdDns: StepExecutor<RestoreAdDnsStep> = async (context) => {
  const { step, deps } = context;
  const flipped = await deps.store.getStep(step.failoverRunId, updateAdDnsStepId(step.zone, step.name));
  if (!flipped) return done(`${step.target}: run ${step.failoverRunId} has no flip of this name, so there is nothing to set back`);
  if (flipped.value.status !== "succeeded") {
    return done(`${step.target}: run ${step.failoverRunId} never finished flipping it (${flipped.value.status}), so it is left as it is`);
  }
  const changed = flipped.value.journal.output as Partial<AdDnsChange> | undefined;
  const previous = flipped.value.journal.previous as AdRecordValue | null | undefined;
  if (!changed || changed.to === undefined || previous === undefined) {
    return failed(`${step.target}: run ${step.failoverRunId}'s flip journaled no previous value, so it cannot be set back safely; set it by hand`, false);
  }
  if (context.journal.previous === undefined) await context.saveJournal({ previous: changed.to });
  return followCommands(context, {
    read: undefined,
    write: { zone: step.zone, name: step.name, expect: changed.to, to: previous },
    describe: (change) => `${step.target}: set back ${describeAdRecord(change.from)} -> ${describeAdRecord(change.to)} on the target-region DC`,
  });
};

interface CommandPlan {
  /** A read to run first (absent: the write's expectation is already known). */
  readonly read: { readonly script: string[]; onRead(stdout: string): Promise<StepOutcome | { readonly write: AdDnsWrite }> } | undefined;
  readonly write: AdDnsWrite | undefined;
  describe(change: AdDnsChange): string;
}

/** Starts or follows the step's read, then its write, one Run Command at a time; never waits inside the handler. */
async function followCommands(context: StepContext<UpdateAdDnsStep | RestoreAdDnsStep>, plan: CommandPlan): Promise<StepOutcome> {
  const { step, journal, timing } = context;
  const dc = context.deps.estate.targetDomainController;
  const command = (script: string[]): GuestCommand => ({ vmId: dc.vmId, os: "windows", script });
  const inFlight = (journal.output as Partial<InFlight> | undefined)?.inFlight;
  try {
    if (journal.resumeToken && inFlight) {
      const script = inFlight === "read" && plan.read ? plan.read.script : plan.write ? buildAdDnsWriteScript(plan.write) : undefined;
      if (!script) return failed(`${step.target}: a ${inFlight} command is recorded but nothing is left to follow`, false);
      const progress = await context.deps.guest.resume(command(script), journal.resumeToken);
      if (progress.status === "running") return waiting(timing.operationPollSeconds, undefined, { resumeToken: progress.resumeToken });
      // Awaited inside the try: a Run Command refused here is handled below.
      if (inFlight === "read" && plan.read) return await afterRead(context, await plan.read.onRead(progress.result.stdout), command);
      if (!plan.write) return failed(`${step.target}: a write command is recorded but the step has nothing to write`, false);
      return afterWrite(context, plan, plan.write, progress.result.stdout);
    }
    if (plan.read) return await start(context, command(plan.read.script), "read");
    if (plan.write) return await start(context, command(buildAdDnsWriteScript(plan.write)), "write");
    return failed(`${step.target}: nothing to run`, false);
  } catch (error) {
    // Azure runs one command per VM at a time: the other names of the tier, the nightly check or a redelivery's own
    // earlier command may hold the DC. Expected contention, not a failure: wait for it (the run's RTO watch bounds it).
    if (isDrError(error) && error.code === "Conflict") {
      return waiting(timing.guestBusySeconds, `${step.target}: the target-region DC is running another command`, { resumeToken: undefined, output: undefined });
    }
    if (isDrError(error) && error.code === "NotFound") {
      await context.saveJournal({ resumeToken: undefined, output: undefined });
      return failed(`${step.target}: Run Command on the target-region DC not accepted (${error.message})`, true, timing.guestBusySeconds);
    }
    throw error;
  }
}

async function start(context: StepContext<UpdateAdDnsStep | RestoreAdDnsStep>, command: GuestCommand, kind: InFlight["inFlight"]): Promise<StepOutcome> {
  const progress = await context.deps.guest.start(command);
  const marker: InFlight = { inFlight: kind };
  if (progress.status === "running") return waiting(context.timing.guestCommandSeconds, undefined, { resumeToken: progress.resumeToken, output: marker });
  // Answered at once (never seen from Run Command, which always answers 202): record it and look again.
  return waiting(context.timing.operationPollSeconds, undefined, { resumeToken: undefined, output: undefined });
}

async function afterRead(
  context: StepContext<UpdateAdDnsStep | RestoreAdDnsStep>,
  next: StepOutcome | { readonly write: AdDnsWrite },
  command: (script: string[]) => GuestCommand,
): Promise<StepOutcome> {
  if (!("write" in next)) return next;
  if (sameRecord(next.write.expect, next.write.to)) {
    await context.saveJournal({ resumeToken: undefined });
    const change: AdDnsChange = { from: next.write.expect, to: next.write.to };
    return done(`${context.step.target} already holds ${describeAdRecord(next.write.to)}`, change);
  }
  return start(context, command(buildAdDnsWriteScript(next.write)), "write");
}

function afterWrite(context: StepContext<UpdateAdDnsStep | RestoreAdDnsStep>, plan: CommandPlan, write: AdDnsWrite, stdout: string): StepOutcome {
  const { step } = context;
  const result = parseAdDnsWriteOutput(stdout);
  if (!result)
    return failed(
      `${step.target}: the DC's script printed no verdict (${stdout.trim().slice(0, 200) || "no output"})`,
      true,
      context.timing.operationPollSeconds,
    );
  switch (result.verdict) {
    case "set":
      return done(plan.describe({ from: result.from, to: result.to }), { from: result.from, to: result.to } satisfies AdDnsChange);
    case "already":
      return done(`${step.target} already holds ${describeAdRecord(result.holds)}`, { from: write.expect, to: result.holds } satisfies AdDnsChange);
    case "changed":
      return failed(
        `${recordFqdn(step.name, step.zone)} changed since it was read: it holds ${describeAdRecord(result.holds)}, not ${describeAdRecord(write.expect)}; nothing was written. Find out who changed it, then set it by hand or resume the run`,
        false,
      );
  }
}
