import { restorePoller, type ComputeManagementClient, type RunCommandResult } from "@azure/arm-compute";
import { DrError } from "../ports/errors.js";
import type { GuestCommand, GuestCommandOutput, GuestCommandPort } from "../ports/guestCommands.js";
import type { OperationProgress } from "../ports/longRunning.js";
import { callAzure } from "./azureErrors.js";

/**
 * Compute Run Command. The request is submitted and its poller state returned; each later call
 * restores the poller and polls once, so no handler waits for a script to finish.
 */
export function createGuestCommands({ client }: { client: ComputeManagementClient }): GuestCommandPort {
  const progressOf = async (poller: ReturnType<ComputeManagementClient["virtualMachines"]["runCommand"]>): Promise<OperationProgress<GuestCommandOutput>> => {
    if (!poller.isDone) return { status: "running", resumeToken: await poller.serialize() };
    const state = poller.operationState;
    if (state?.status !== "succeeded" || !poller.result) {
      throw new DrError("Unknown", `Run Command ${state?.status ?? "ended"}: ${state?.error?.message ?? "no result"}`);
    }
    return { status: "succeeded", result: outputOf(poller.result) };
  };

  return {
    async start(command: GuestCommand) {
      const { resourceGroup, name } = parseVmId(command.vmId);
      return callAzure(`Run Command on ${name}`, async () => {
        const poller = client.virtualMachines.runCommand(resourceGroup, name, {
          commandId: command.os === "windows" ? "RunPowerShellScript" : "RunShellScript",
          script: [...command.script],
        });
        await poller.submitted();
        return progressOf(poller);
      });
    },
    async resume(command: GuestCommand, resumeToken: string) {
      return callAzure(`Run Command on ${parseVmId(command.vmId).name}`, async () => {
        const poller = restorePoller(client, resumeToken, client.virtualMachines.runCommand);
        await poller.poll();
        return progressOf(poller);
      });
    },
  };
}

/**
 * Windows answers with separate ComponentStatus/StdOut and /StdErr statuses; Linux answers with one
 * ProvisioningState status whose message embeds "[stdout]" and "[stderr]" sections.
 */
function outputOf(result: RunCommandResult): GuestCommandOutput {
  const statuses = result.value ?? [];
  const stream = (name: string): string | undefined => statuses.find((s) => s.code?.includes(`/${name}/`))?.message;
  const stdout = stream("StdOut");
  if (stdout !== undefined) return { stdout, stderr: stream("StdErr") ?? "" };
  const combined = statuses.map((s) => s.message ?? "").join("\n");
  const section = (name: string): string => new RegExp(`\\[${name}\\]\\n([\\s\\S]*?)(?:\\n\\[std(?:out|err)\\]|$)`).exec(combined)?.[1] ?? "";
  return { stdout: section("stdout"), stderr: section("stderr") };
}

function parseVmId(vmId: string): { resourceGroup: string; name: string } {
  const match = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)$/i.exec(vmId);
  if (!match?.[1] || !match[2]) throw new DrError("InvalidInput", `not a virtual machine id: ${vmId}`);
  return { resourceGroup: match[1], name: match[2] };
}
