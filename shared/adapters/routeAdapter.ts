import type { NetworkManagementClient } from "@azure/arm-network";
import { DrError } from "../ports/errors.js";
import type { RoutePort, RouteRef, RouteValue } from "../ports/routes.js";
import type { OperationProgress } from "../ports/longRunning.js";
import { callAzure } from "./azureErrors.js";

/** User-defined routes; the PUT is an ARM long-running operation followed by its poller state. */
export function createRoutes({ client }: { client: NetworkManagementClient }): RoutePort {
  const put = async (ref: RouteRef, value: RouteValue, resumeFrom?: string): Promise<OperationProgress<void>> => {
    const poller = await callAzure(`update route ${ref.routeTable}/${ref.route}`, () =>
      client.routes.beginCreateOrUpdate(
        ref.resourceGroup,
        ref.routeTable,
        ref.route,
        { addressPrefix: value.addressPrefix, nextHopType: "VirtualAppliance", nextHopIpAddress: value.nextHopIpAddress },
        resumeFrom ? { resumeFrom } : {},
      ),
    );
    if (!poller.isDone()) return { status: "running", resumeToken: poller.toString() };
    const state = poller.getOperationState();
    if (state.status !== "succeeded")
      throw new DrError("Unknown", `route ${ref.routeTable}/${ref.route} update ${state.status}: ${state.error?.message ?? "no detail"}`);
    return { status: "succeeded", result: undefined };
  };

  return {
    async getRoute(ref) {
      try {
        const route = await callAzure(`read route ${ref.routeTable}/${ref.route}`, () => client.routes.get(ref.resourceGroup, ref.routeTable, ref.route));
        return { addressPrefix: route.addressPrefix ?? "", nextHopType: route.nextHopType ?? "", nextHopIpAddress: route.nextHopIpAddress ?? "" };
      } catch (error) {
        if (error instanceof DrError && error.code === "NotFound") return undefined;
        throw error;
      }
    },
    startSetRoute: (ref, value) => put(ref, value),
    resumeSetRoute: (ref, value, resumeToken) => put(ref, value, resumeToken),
  };
}
