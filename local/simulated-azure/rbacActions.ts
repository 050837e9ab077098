/**
 * The RBAC action and scope Azure Resource Manager checks for one request, derived from the method
 * and the path alone, the way ARM names operations: "{Company}.{ProviderName}/{resourceType}/{action}"
 * where the resource type is every type segment of the path after the last /providers/{namespace}
 * and the action is read (GET), write (PUT, PATCH), delete (DELETE), or "<name>/action" for a POST
 * to a named action ("Azure resource provider operations" and "Understand Azure role definitions",
 * section "Actions format", learn.microsoft.com/azure/role-based-access-control/role-definitions;
 * MicrosoftDocs/azure-docs articles/role-based-access-control/role-definitions.md).
 *
 * The scope is the resource the request is about: the path, less a trailing collection or action
 * segment. The AuthorizationFailed answers people quote show exactly that: "perform action
 * 'Microsoft.Storage/storageAccounts/listKeys/action' over scope '.../storageAccounts/<name>'" and
 * "'Microsoft.Network/virtualNetworks/subnets/read' over scope '.../virtualNetworks/<vnet>/subnets/<subnet>'".
 */
export interface ArmAuthorizationCheck {
  readonly action: string;
  /** Resource id the action is checked at (no trailing slash). */
  readonly scope: string;
}

/**
 * Paths ARM does not check against the caller's role assignments in the simulator: the regional
 * status of a long-running operation (/subscriptions/{s}/providers/{ns}/locations/{l}/operations/{id}
 * and its operationResults/operationStatuses/asyncOperations siblings) that the 202 of a write named.
 * No Microsoft document says how ARM authorizes these polls. Everyday use shows that a role assigned
 * at a resource group (Virtual Machine Contributor creating a VM with the Azure CLI, which polls
 * Microsoft.Compute/locations/{l}/operations/{id} under the subscription) is enough, so refusing them
 * here would fail requests Azure accepts. Listed in README.md, "Verify once on a real tenant".
 */
const REGIONAL_OPERATION_STATUS =
  /^\/subscriptions\/[^/]+\/providers\/[^/]+\/locations\/[^/]+\/(operations|operationResults|operationStatuses|asyncOperations)\/[^/]+$/i;

/**
 * Vault-level lists that ASR serves as views of a nested collection, with the action of that
 * collection. ReplicationProtectedItems_List (GET {vault}/replicationProtectedItems) lists the items
 * of every container; no operation "vaults/replicationProtectedItems/read" appears in the built-in
 * roles doc, and Site Recovery Reader, documented as "Lets you view Site Recovery status", holds
 * only ".../replicationProtectionContainers/replicationProtectedItems/read". Unverified: listed in
 * README.md, "Verify once on a real tenant".
 */
const VIEW_ACTIONS: Readonly<Record<string, string>> = {
  "microsoft.recoveryservices/vaults/replicationprotecteditems/read":
    "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/read",
};

const VERB: Readonly<Record<string, string>> = { GET: "read", HEAD: "read", PUT: "write", PATCH: "write", DELETE: "delete" };

/** The check ARM makes for `method` on `path`; undefined for a path that is not a resource provider path or that ARM does not check (see above). */
export function armAuthorizationCheck(method: string, path: string): ArmAuthorizationCheck | undefined {
  const normalised = `/${path
    .split("/")
    .filter((s) => s.length > 0)
    .map(safeDecode)
    .join("/")}`;
  if (REGIONAL_OPERATION_STATUS.test(normalised)) return undefined;
  const segments = normalised.split("/").slice(1);
  const providers = lastIndexWhere(segments, (s, i) => s.toLowerCase() === "providers" && i + 1 < segments.length);
  if (providers < 0) return undefined;
  const namespace = segments[providers + 1] as string;
  const rest = segments.slice(providers + 2);
  if (rest.length === 0) return undefined;
  const verb = method.toUpperCase();
  const types = rest.filter((_, i) => i % 2 === 0);
  // An odd count ends on a segment without a name: a collection (GET) or a named action (POST).
  const trailing = rest.length % 2 === 1;
  const scopeSegments = trailing ? segments.slice(0, -1) : segments;
  // A POST names its action in the last type segment (".../replicationProtectedItems/{item}/unplannedFailover").
  const suffix = verb === "POST" ? "action" : VERB[verb];
  if (suffix === undefined) return undefined;
  const action = `${namespace}/${types.join("/")}/${suffix}`;
  return { action: VIEW_ACTIONS[action.toLowerCase()] ?? action, scope: `/${scopeSegments.join("/")}` };
}

function lastIndexWhere<T>(items: readonly T[], test: (item: T, index: number) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i] as T, i)) return i;
  return -1;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
