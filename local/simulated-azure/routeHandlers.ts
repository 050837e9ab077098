import { z } from "zod";
import { API_VERSIONS } from "./apiVersions.js";
import { armError, reply, unquote, type Exchange, type SimReply } from "./http.js";
import { ARM_HOST, keyOf } from "./ids.js";
import type { RouteSpec } from "./router.js";
import { parseBody } from "./validate.js";
import { routeKey, type RouteOperation, type SimRoute, type World } from "./world.js";

const ROUTE = "subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/routeTables/{routeTableName}/routes/{routeName}";
const OPERATION = "subscriptions/{subscriptionId}/providers/Microsoft.Network/locations/{location}/operations/{operationId}";
/** Network RP asks callers to poll every 10 s. */
const NETWORK_RETRY_AFTER_SECONDS = "10";

const CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
const SERVICE_TAG = /^[A-Za-z][A-Za-z0-9.]*$/;

const RouteBody = z.strictObject({
  id: z.string().optional(),
  name: z.string().optional(),
  type: z.string().optional(),
  etag: z.string().optional(),
  properties: z
    .strictObject({
      addressPrefix: z.string().refine((p) => CIDR.test(p) || SERVICE_TAG.test(p), "must be an IPv4 CIDR such as 0.0.0.0/0, or a service tag"),
      nextHopType: z.enum(["VirtualNetworkGateway", "VnetLocal", "Internet", "VirtualAppliance", "None"]),
      nextHopIpAddress: z.ipv4().optional(),
    })
    .refine((p) => (p.nextHopType === "VirtualAppliance") === (p.nextHopIpAddress !== undefined), {
      message: "nextHopIpAddress is required for nextHopType 'VirtualAppliance' and allowed for no other type",
      path: ["nextHopIpAddress"],
    }),
});

export function networkRoutes(world: World): RouteSpec[] {
  const versions = API_VERSIONS.network;
  return [
    { method: "GET", pattern: ROUTE, operation: "Routes_Get", apiVersions: versions, handle: (ex) => getRoute(world, ex) },
    { method: "PUT", pattern: ROUTE, operation: "Routes_CreateOrUpdate", apiVersions: versions, handle: (ex) => putRoute(world, ex) },
    { method: "DELETE", pattern: ROUTE, operation: "Routes_Delete", apiVersions: versions, handle: (ex) => deleteRoute(world, ex) },
    { method: "GET", pattern: OPERATION, operation: "NetworkOperations_Get", apiVersions: versions, handle: (ex) => getOperation(world, ex) },
  ];
}

function table(world: World, ex: Exchange): { readonly location: string } | SimReply {
  const { resourceGroupName = "", routeTableName = "" } = ex.req.params;
  const found = world.routeTables.get(keyOf(resourceGroupName, routeTableName));
  if (found) return found;
  return ex.reject(
    404,
    "ParentResourceNotFound",
    `Can not perform requested operation on nested resource. Parent resource '${routeTableName}' (Microsoft.Network/routeTables) not found in resource group '${resourceGroupName}'.`,
  );
}

function getRoute(world: World, ex: Exchange): SimReply {
  const t = table(world, ex);
  if ("status" in t) return t;
  const { resourceGroupName = "", routeTableName = "", routeName = "" } = ex.req.params;
  const route = world.routes.get(routeKey(resourceGroupName, routeTableName, routeName));
  if (!route)
    return armError(
      404,
      "NotFound",
      `Resource /subscriptions/${world.estate.subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Network/routeTables/${routeTableName}/routes/${routeName} not found.`,
    );
  return reply(200, routeJson(world, route));
}

function putRoute(world: World, ex: Exchange): SimReply {
  const t = table(world, ex);
  if ("status" in t) return t;
  const parsed = parseBody(RouteBody, ex.req.body);
  if (!parsed.ok) return ex.reject(400, "InvalidRequestFormat", `Invalid route: ${parsed.problems}`);
  const { resourceGroupName = "", routeTableName = "", routeName = "" } = ex.req.params;
  const key = routeKey(resourceGroupName, routeTableName, routeName);
  const existing = world.routes.get(key);
  const mismatch = etagMismatch(world, ex, existing);
  if (mismatch) return mismatch;
  const p = parsed.value.properties;
  const route: SimRoute = existing ?? {
    resourceGroup: resourceGroupName,
    routeTable: routeTableName,
    name: routeName,
    addressPrefix: "",
    nextHopType: "",
    nextHopIpAddress: undefined,
    etag: "",
    provisioningState: "Updating",
  };
  route.addressPrefix = p.addressPrefix;
  route.nextHopType = p.nextHopType;
  route.nextHopIpAddress = p.nextHopIpAddress;
  route.provisioningState = "Updating";
  route.etag = `W/"${world.ids.uuid("route-etag")}"`;
  world.routes.set(key, route);
  const op = startRouteOperation(world, ex, route, t.location);
  return reply(existing ? 200 : 201, routeJson(world, route), {
    "Azure-AsyncOperation": operationUrl(world, ex, op, "operations"),
    "Retry-After": NETWORK_RETRY_AFTER_SECONDS,
  });
}

/**
 * If-Match on a route PUT: the network RP compares it with the route's etag and answers 412
 * PreconditionFailed with a PreconditionFailedEtagMismatch detail (the answer quoted in
 * kubernetes-sigs/cluster-api-provider-azure#682 for a route table; ARM's generic precondition rule,
 * as the DNS handlers apply it). An If-Match on a route that does not exist cannot match either.
 */
function etagMismatch(world: World, ex: Exchange, route: SimRoute | undefined): SimReply | undefined {
  const ifMatch = ex.req.headers.get("If-Match");
  if (ifMatch === undefined) return undefined;
  if (route !== undefined && (ifMatch === "*" || unquote(ifMatch) === unquote(route.etag))) return undefined;
  const { resourceGroupName = "", routeTableName = "", routeName = "" } = ex.req.params;
  const id = `/subscriptions/${world.estate.subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Network/routeTables/${routeTableName}/routes/${routeName}`;
  return armError(412, "PreconditionFailed", "Precondition failed.", {
    details: [
      {
        code: "PreconditionFailedEtagMismatch",
        message: `Etag provided in if-match header ${ifMatch} does not match etag ${route?.etag ?? "(none: the route does not exist)"} of resource ${id} in NRP data store.`,
      },
    ],
  });
}

/**
 * Routes_Delete (routeTable.json, RouteTableRouteDelete.json): 202 with Azure-AsyncOperation and Location
 * for a route that exists, 204 for one that does not ("Route was deleted or not found"). The route reads
 * as provisioningState 'Deleting' until the operation ends (ARM's asynchronous delete), then is gone.
 * The spec declares no If-Match on this DELETE and nothing known shows it honoured: the simulator
 * ignores the header rather than claim either way.
 */
function deleteRoute(world: World, ex: Exchange): SimReply {
  const t = table(world, ex);
  if ("status" in t) return t;
  const { resourceGroupName = "", routeTableName = "", routeName = "" } = ex.req.params;
  const route = world.routes.get(routeKey(resourceGroupName, routeTableName, routeName));
  if (!route) return reply(204);
  route.provisioningState = "Deleting";
  const op = startRouteOperation(world, ex, route, t.location);
  return reply(202, undefined, {
    "Azure-AsyncOperation": operationUrl(world, ex, op, "operations"),
    Location: operationUrl(world, ex, op, "operationResults"),
    "Retry-After": NETWORK_RETRY_AFTER_SECONDS,
  });
}

/** The network operation a route PUT or DELETE starts: in progress for the route-update duration, then polled to its end. */
function startRouteOperation(world: World, ex: Exchange, route: SimRoute, location: string): RouteOperation {
  const op: RouteOperation = {
    name: world.ids.uuid("network-operation"),
    seq: world.nextSeq(),
    route,
    location,
    startTime: ex.req.now,
    endsAt: new Date(ex.req.now.getTime() + world.durations.routeUpdateMs),
    state: "InProgress",
  };
  world.routeOps.set(op.name.toLowerCase(), op);
  return op;
}

/** The region's network operation endpoints; the SDK polls Azure-AsyncOperation and, for a DELETE, fetches nothing after it. */
function operationUrl(world: World, ex: Exchange, op: RouteOperation, kind: "operations" | "operationResults"): string {
  const apiVersion = ex.req.url.searchParams.get("api-version") ?? API_VERSIONS.network[0];
  return `${ARM_HOST}/subscriptions/${world.estate.subscriptionId}/providers/Microsoft.Network/locations/${op.location}/${kind}/${op.name}?api-version=${apiVersion}`;
}

/** One operations endpoint per region serves every network RP update: routes and NICs. */
function getOperation(world: World, ex: Exchange): SimReply {
  const id = (ex.req.params["operationId"] ?? "").toLowerCase();
  const op = world.routeOps.get(id) ?? world.nicOps.get(id);
  if (!op || op.location.toLowerCase() !== (ex.req.params["location"] ?? "").toLowerCase()) {
    return ex.reject(
      404,
      "NotFound",
      `The network operation '${ex.req.params["operationId"] ?? ""}' does not exist in location '${ex.req.params["location"] ?? ""}'.`,
    );
  }
  return op.state === "InProgress" ? reply(200, { status: "InProgress" }, { "Retry-After": NETWORK_RETRY_AFTER_SECONDS }) : reply(200, { status: "Succeeded" });
}

/** The route is provisioned once its last update has run its course; a route being deleted is then gone. */
export function finishRouteOperation(world: World, op: RouteOperation): void {
  op.state = "Succeeded";
  const stillRunning = [...world.routeOps.values()].some((other) => other.route === op.route && other.state === "InProgress");
  if (stillRunning) return;
  const { resourceGroup, routeTable, name } = op.route;
  if (op.route.provisioningState === "Deleting") world.routes.delete(routeKey(resourceGroup, routeTable, name));
  else op.route.provisioningState = "Succeeded";
}

export function routeJson(world: World, r: SimRoute): unknown {
  return {
    id: `/subscriptions/${world.estate.subscriptionId}/resourceGroups/${r.resourceGroup}/providers/Microsoft.Network/routeTables/${r.routeTable}/routes/${r.name}`,
    name: r.name,
    etag: r.etag,
    type: "Microsoft.Network/routeTables/routes",
    properties: {
      provisioningState: r.provisioningState,
      addressPrefix: r.addressPrefix,
      nextHopType: r.nextHopType,
      ...(r.nextHopIpAddress ? { nextHopIpAddress: r.nextHopIpAddress } : {}),
      hasBgpOverride: false,
    },
  };
}
