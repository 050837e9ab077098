import { armAuthorizationCheck } from "./rbacActions.js";
import type { RoleAssignment } from "./rbacAssignments.js";
import type { RoleDefinition } from "./rbacRoles.js";

/** The identity the simulated Function App runs as (its client id and object id; names only, nothing secret). */
export const SIMULATED_APP_IDENTITY = Object.freeze({ clientId: "5e0d6c2a-7f4b-4c1e-9a3d-2b8f1e6c0a11", objectId: "9b1f4e7d-3c2a-4d5e-8f60-7a1b2c3d4e5f" });

export interface Refusal {
  readonly action: string;
  readonly scope: string;
  readonly message: string;
}

export interface Rbac {
  /** Undefined: allowed (or not an ARM path RBAC applies to); otherwise why ARM answers 403 AuthorizationFailed. */
  authorize(method: string, path: string): Refusal | undefined;
}

/**
 * Azure RBAC for ARM requests: allowed when some role assigned at the request's scope or above
 * grants the action ("Understand scope for Azure RBAC": a role assigned at a parent scope is
 * inherited by every child scope), where a role grants an action that one of its Actions matches
 * and none of its NotActions matches ("Understand Azure role definitions", sections "Actions",
 * "NotActions": NotActions are subtracted from that role's Actions, they are not a deny, so another
 * role can still grant the action). Paths outside `subscriptionId` are left to the other checks.
 */
export function createRbac(assignments: readonly RoleAssignment[], subscriptionId: string, identity = SIMULATED_APP_IDENTITY): Rbac {
  const subscriptionPrefix = `/subscriptions/${subscriptionId}`.toLowerCase();
  return {
    authorize(method, path) {
      const check = armAuthorizationCheck(method, path);
      if (!check) return undefined;
      const scope = check.scope.toLowerCase();
      if (!withinScope(scope, subscriptionPrefix)) return undefined;
      if (assignments.some((a) => withinScope(scope, a.scope.toLowerCase()) && roleGrants(a.role, check.action))) return undefined;
      return {
        ...check,
        // The wording of ARM's AuthorizationFailed error, as Microsoft documents it (MicrosoftDocs/azure-docs
        // articles/machine-learning/troubleshooting-managed-feature-store.md) and as answered in recorded failures.
        message: `The client '${identity.clientId}' with object id '${identity.objectId}' does not have authorization to perform action '${check.action}' over scope '${check.scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      };
    },
  };
}

/** Whether a role's Actions, less its NotActions, cover `action`. */
export function roleGrants(role: RoleDefinition, action: string): boolean {
  return role.actions.some((pattern) => actionMatches(pattern, action)) && !role.notActions.some((pattern) => actionMatches(pattern, action));
}

/**
 * RBAC's action wildcards: "*" matches any run of characters, anywhere in the string (a lone "*",
 * "Microsoft.Compute/" then "*", "*" then "/read", "Microsoft.Authorization/" then "*" then "/read");
 * operation names compare
 * without case ("Understand Azure role definitions", "Actions": "The wildcard (*) extends a
 * permission to everything that matches the action string you provide").
 */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`, "i");
  return regex.test(action);
}

function withinScope(scope: string, assignedAt: string): boolean {
  const parent = assignedAt.replace(/\/+$/, "");
  return scope === parent || scope.startsWith(`${parent}/`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
