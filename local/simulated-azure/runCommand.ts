import { z } from "zod";
import { API_VERSIONS } from "./apiVersions.js";
import { runGuestScript } from "./guestScript.js";
import { armError, reply, type Exchange, type SimReply } from "./http.js";
import { ARM_HOST } from "./ids.js";
import type { RouteSpec } from "./router.js";
import { parseBody } from "./validate.js";
import { vmKey, type RunCommandOperation, type SimVm, type World } from "./world.js";

const RUN_COMMAND = "subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/virtualMachines/{vmName}/runCommand";
const OPERATION = "subscriptions/{subscriptionId}/providers/Microsoft.Compute/locations/{location}/operations/{operationId}";

const COMMAND_OS = { RunPowerShellScript: "windows", RunShellScript: "linux" } as const;

/**
 * A VM without a running Azure VM agent still accepts Run Command (202); the operation fails only
 * after Compute gave up waiting for the agent's status, about 25 minutes in the recorded failures
 * (startTime/endTime of the operation in Azure/azure-xplat-cli#2794 and Azure/azure-powershell#5741),
 * "an extremely long time" for Run Command itself (MicrosoftDocs/azure-docs#11596).
 */
const AGENT_STATUS_TIMEOUT_MS = 25 * 60_000;

/** The failure, as the operation reports it (the operation body in Azure/azure-xplat-cli#2794). */
function agentNotReportingError(vm: SimVm): { code: string; message: string } {
  return {
    code: "VMAgentStatusCommunicationError",
    message: `VM '${vm.name}' has not reported status for VM agent or extensions. Please verify the VM has a running VM agent, and can establish outbound connections to Azure storage.`,
  };
}

/**
 * Whether the VM runs no Azure VM agent: a recovered or test VM of an estate VM named in the fault
 * plan's noVmAgent (nothing installed it in vSphere, and Site Recovery's hydration, which "will attempt"
 * to install it at failover, did not: learn.microsoft.com/azure/site-recovery/hydration-process).
 */
export function lacksVmAgent(world: World, vm: SimVm): boolean {
  return vm.source !== undefined && (world.faults.noVmAgent ?? []).includes(vm.source.name);
}

const RunCommandBody = z.strictObject({
  commandId: z.enum(["RunPowerShellScript", "RunShellScript"], { error: "only 'RunPowerShellScript' (Windows) and 'RunShellScript' (Linux) are simulated" }),
  script: z.array(z.string()).min(1, "a script of at least one line is required"),
  parameters: z.array(z.strictObject({ name: z.string(), value: z.string() })).optional(),
});

export function computeRoutes(world: World): RouteSpec[] {
  return [
    {
      method: "POST",
      pattern: RUN_COMMAND,
      operation: "VirtualMachines_RunCommand",
      apiVersions: API_VERSIONS.compute,
      handle: (ex) => startRunCommand(world, ex),
    },
    { method: "GET", pattern: OPERATION, operation: "ComputeOperations_Get", apiVersions: API_VERSIONS.compute, handle: (ex) => pollRunCommand(world, ex) },
  ];
}

function startRunCommand(world: World, ex: Exchange): SimReply {
  const { resourceGroupName = "", vmName = "" } = ex.req.params;
  const parsed = parseBody(RunCommandBody, ex.req.body);
  if (!parsed.ok) return ex.reject(400, "InvalidParameter", `Invalid Run Command input: ${parsed.problems}`);
  const vm = world.vms.get(vmKey(resourceGroupName, vmName));
  if (!vm) {
    return armError(
      404,
      "ResourceNotFound",
      `The Resource 'Microsoft.Compute/virtualMachines/${vmName}' under resource group '${resourceGroupName}' was not found.`,
    );
  }
  const { commandId, script } = parsed.value;
  if (COMMAND_OS[commandId] !== vm.os) {
    return ex.reject(
      400,
      "InvalidParameter",
      `The command '${commandId}' cannot run on ${vm.name}: its OS is ${vm.os}. Use '${vm.os === "windows" ? "RunPowerShellScript" : "RunShellScript"}'.`,
    );
  }
  const busy = [...world.runCommands.values()].some((op) => op.vm === vm && op.state === "InProgress");
  if (busy) return armError(409, "Conflict", "Run command extension execution is in progress. Please wait for completion before invoking a run command.");
  for (const problem of runGuestScript(world, vm, script, "validate").problems) ex.flag(problem);
  const apiVersion = ex.req.url.searchParams.get("api-version") ?? API_VERSIONS.compute[0];
  const op: RunCommandOperation = {
    name: world.ids.uuid("run-command"),
    seq: world.nextSeq(),
    vm,
    location: vm.location,
    script,
    endsAt: new Date(ex.req.now.getTime() + (lacksVmAgent(world, vm) ? AGENT_STATUS_TIMEOUT_MS : world.durations.runCommandMs)),
    apiVersion,
    state: "InProgress",
    output: undefined,
  };
  world.runCommands.set(op.name.toLowerCase(), op);
  return reply(202, undefined, { Location: operationUrl(world, op) });
}

function pollRunCommand(world: World, ex: Exchange): SimReply {
  const op = world.runCommands.get((ex.req.params["operationId"] ?? "").toLowerCase());
  if (!op || op.location.toLowerCase() !== (ex.req.params["location"] ?? "").toLowerCase()) {
    return ex.reject(
      404,
      "NotFound",
      `The compute operation '${ex.req.params["operationId"] ?? ""}' does not exist in location '${ex.req.params["location"] ?? ""}'.`,
    );
  }
  if (op.state === "Failed") {
    // The Location URL answers what the request would have answered synchronously (ARM RPC, async-api-reference
    // "202 Accepted and Location Headers"): the operation's error. Its HTTP status is not recorded anywhere we
    // found; 409 Conflict, ARM's answer for a VM not in a state to run the operation, is assumed.
    const error = agentNotReportingError(op.vm);
    return armError(409, error.code, error.message);
  }
  if (op.state === "InProgress" || !op.output) return reply(202, undefined, { Location: operationUrl(world, op) });
  if (op.vm.os === "linux") {
    // Linux answers one ProvisioningState status whose message carries both streams, as Microsoft's docs show
    // `az vm run-command invoke --command-id RunShellScript` output: "Enable succeeded: \n[stdout]\n...\n[stderr]\n...".
    const message = `Enable succeeded: \n[stdout]\n${op.output.stdout}\n[stderr]\n${op.output.stderr}`;
    return reply(200, { value: [{ code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded", message, time: null }] });
  }
  // Windows answers one ComponentStatus per stream (vm-runcommand-post.json).
  const status = (stream: "StdOut" | "StdErr", message: string) => ({
    code: `ComponentStatus/${stream}/succeeded`,
    level: "Info",
    displayStatus: "Provisioning succeeded",
    message,
  });
  return reply(200, { value: [status("StdOut", op.output.stdout), status("StdErr", op.output.stderr)] });
}

/** Runs the guest script at the instant the command completes, so it sees the world as it is then. */
export function finishRunCommand(world: World, op: RunCommandOperation): void {
  if (lacksVmAgent(world, op.vm)) {
    op.state = "Failed";
    return;
  }
  const run = runGuestScript(world, op.vm, op.script);
  op.output = { stdout: run.stdout, stderr: run.stderr };
  op.state = "Succeeded";
}

function operationUrl(world: World, op: RunCommandOperation): string {
  return `${ARM_HOST}/subscriptions/${world.estate.subscriptionId}/providers/Microsoft.Compute/locations/${op.location}/operations/${op.name}?monitor=true&api-version=${op.apiVersion}`;
}
