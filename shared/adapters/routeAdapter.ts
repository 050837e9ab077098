import type { NetworkManagementClient } from "@azure/arm-network";
import { DrError } from "../ports/errors.js";
import type { CurrentRoute, RoutePort, RouteRef, RouteValue } from "../ports/routes.js";
import type { OperationProgress } from "../ports/longRunning.js";
import { callAzure } from "./azureErrors.js";

interface RoutePoller {
  isDone(): boolean;
  toString(): string;
  getOperationState(): { readonly status: string; readonly error?: { readonly message?: string } | undefined };
}

/**
 * User-defined routes; PUT and DELETE are ARM long-running operations followed by their poller state.
 * Routes_CreateOrUpdate declares no If-Match (routeTable.json) and the SDK's options have none, yet the
 * network RP honours the header (kubernetes/legacy-cloud-providers routeclient sends it on route PUTs;
 * cluster-api-provider-azure#682 shows the 412 PreconditionFailedEtagMismatch it answers), so it is sent
 * through `requestOptions.customHeaders`, which core-client's serialization policy copies onto the request.
 */
export function createRoutes({ client }: { client: NetworkManagementClient }): RoutePort {
  const what = (ref: RouteRef, verb: string) => `${verb} route ${ref.routeTable}/${ref.route}`;
  const bodyOf = (value: RouteValue) => ({ addressPrefix: value.addressPrefix, nextHopType: "VirtualAppliance", nextHopIpAddress: value.nextHopIpAddress });

  const progressOf = (ref: RouteRef, verb: string, poller: RoutePoller): OperationProgress<void> => {
    if (!poller.isDone()) return { status: "running", resumeToken: poller.toString() };
    const state = poller.getOperationState();
    if (state.status !== "succeeded") throw new DrError("Unknown", `${what(ref, verb)} ${state.status}: ${state.error?.message ?? "no detail"}`);
    return { status: "succeeded", result: undefined };
  };

  const getRoute = async (ref: RouteRef): Promise<CurrentRoute | undefined> => {
    try {
      const route = await callAzure(what(ref, "read"), () => client.routes.get(ref.resourceGroup, ref.routeTable, ref.route));
      return {
        addressPrefix: route.addressPrefix ?? "",
        nextHopType: route.nextHopType ?? "",
        nextHopIpAddress: route.nextHopIpAddress ?? "",
        etag: route.etag ?? "",
        provisioningState: route.provisioningState ?? "",
      };
    } catch (error) {
      if (error instanceof DrError && error.code === "NotFound") return undefined;
      throw error;
    }
  };

  return {
    getRoute,

    async startSetRoute(ref, value, ifMatch) {
      const options = ifMatch ? { requestOptions: { customHeaders: { "If-Match": ifMatch } } } : {};
      const poller = await callAzure(what(ref, "update"), () =>
        client.routes.beginCreateOrUpdate(ref.resourceGroup, ref.routeTable, ref.route, bodyOf(value), options),
      );
      return progressOf(ref, "update", poller);
    },

    async resumeSetRoute(ref, value, resumeToken) {
      // Resuming only polls the operation the serialized state names: the body is not sent again.
      const poller = await callAzure(what(ref, "update"), () =>
        client.routes.beginCreateOrUpdate(ref.resourceGroup, ref.routeTable, ref.route, bodyOf(value), { resumeFrom: resumeToken }),
      );
      return progressOf(ref, "update", poller);
    },

    async startDeleteRoute(ref, etag) {
      // Routes_Delete declares no If-Match either, and nothing known shows the network RP honouring one on a
      // DELETE: the ETag is compared on a read just before, which leaves only that one round trip unguarded.
      const current = await getRoute(ref);
      if (!current) return { status: "succeeded", result: undefined };
      if (current.etag !== etag)
        throw new DrError("PreconditionFailed", `${what(ref, "delete")}: its etag is ${current.etag}, not ${etag} as read before: it changed since`);
      const poller = await callAzure(what(ref, "delete"), () => client.routes.beginDelete(ref.resourceGroup, ref.routeTable, ref.route));
      return progressOf(ref, "delete", poller);
    },

    async resumeDeleteRoute(ref, resumeToken) {
      const poller = await callAzure(what(ref, "delete"), () =>
        client.routes.beginDelete(ref.resourceGroup, ref.routeTable, ref.route, { resumeFrom: resumeToken }),
      );
      return progressOf(ref, "delete", poller);
    },
  };
}
