import type { ComputeManagementClient } from "@azure/arm-compute";
import { DrError, isDrError } from "../ports/errors.js";
import type { VmAgentPort } from "../ports/healthReads.js";
import { callAzure } from "./azureErrors.js";

/** Whether Run Command can work on a VM: it exists, runs, and its Azure VM agent reports Ready (instance view). */
export function createVmAgents({ client }: { client: ComputeManagementClient }): VmAgentPort {
  return {
    async agentState(vmId, options = {}) {
      const match = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)$/i.exec(vmId);
      if (!match?.[1] || !match[2]) throw new DrError("InvalidInput", `not a virtual machine id: ${vmId}`);
      const [, resourceGroup, name] = match;
      try {
        const view = await callAzure(`read the instance view of ${name}`, () =>
          client.virtualMachines.instanceView(resourceGroup, name, options.signal ? { abortSignal: options.signal } : {}),
        );
        const power = (view.statuses ?? []).find((s) => s.code?.startsWith("PowerState/"))?.code?.slice("PowerState/".length);
        const agent = view.vmAgent?.statuses?.[0]?.displayStatus;
        return {
          exists: true,
          ...(power ? { powerState: power } : {}),
          ...(agent ? { agentStatus: agent } : {}),
          ...(view.vmAgent?.vmAgentVersion ? { agentVersion: view.vmAgent.vmAgentVersion } : {}),
        };
      } catch (error) {
        if (isDrError(error) && error.code === "NotFound") return { exists: false };
        throw error;
      }
    },
  };
}
