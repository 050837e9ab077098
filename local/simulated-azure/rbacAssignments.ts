import type { Estate } from "../../shared/domain/estate.js";
import { BUILT_IN_ROLES, CUSTOM_ROLES, type RoleDefinition } from "./rbacRoles.js";

/** One role assignment of the app's identity: a role at a scope (a resource id or a resource group id). */
export interface RoleAssignment {
  readonly role: RoleDefinition;
  readonly scope: string;
}

/**
 * The ARM role assignments infra/main.bicep makes for the app's identity, derived from the estate the
 * way infra/main.parameters.json is (test/infra/infra.test.ts keeps that file equal to the sample
 * estate, and checks this list against the compiled template's assignments, role by scope type):
 * - vaultAccess: Site Recovery Operator on each vault;
 * - publicDnsZoneAccess / privateDnsZoneAccess: DNS Zone Contributor / Private DNS Zone Contributor on each zone;
 * - routeTableAccess: the custom route editor on each route table;
 * - virtualNetworkAccess: Reader on each recovery VNet the vaults name (their DNS servers, read by the health check);
 * - vmResourceGroupAccess: the custom run command operator and Monitoring Reader on each resource group
 *   of a recovered VM or the target DC;
 * - natNicAccess: the custom NAT NIC editor on the recovered NAT VM's resource group;
 * - circuitAccess: Monitoring Reader on each ExpressRoute circuit;
 * - quotaAccess: the custom quota reader on the subscription (Compute usages and SKUs exist only there).
 * Log Analytics Reader on the workspaces is left out: the app queries them on api.loganalytics.io,
 * which the simulated Monitor data plane serves outside ARM (monitorDataPlane.ts).
 */
export function deployedRoleAssignments(estate: Estate): RoleAssignment[] {
  const sub = `/subscriptions/${estate.subscriptionId}`;
  const rg = (name: string): string => `${sub}/resourceGroups/${name}`;
  const unique = (ids: readonly string[]): string[] => [...new Map(ids.map((id) => [id.toLowerCase(), id])).values()];
  const resourceGroupOf = (id: string): string => id.split("/")[4] ?? "";
  const nat = estate.vms.find((vm) => vm.name === estate.alerting.natVm.vm);
  const vmGroups = unique([estate.targetDomainController.vmId, ...estate.vms.map((vm) => vm.recoveryVmId)].map(resourceGroupOf));
  const at = (role: RoleDefinition, scopes: readonly string[]): RoleAssignment[] => unique(scopes).map((scope) => ({ role, scope }));
  return [
    ...at(
      BUILT_IN_ROLES.siteRecoveryOperator,
      Object.values(estate.vaults).map((v) => `${rg(v.resourceGroup)}/providers/Microsoft.RecoveryServices/vaults/${v.name}`),
    ),
    ...at(
      BUILT_IN_ROLES.dnsZoneContributor,
      estate.dns.filter((d) => d.zoneType === "public").map((d) => `${rg(d.resourceGroup)}/providers/Microsoft.Network/dnsZones/${d.zone}`),
    ),
    ...at(
      BUILT_IN_ROLES.privateDnsZoneContributor,
      estate.dns.filter((d) => d.zoneType === "private").map((d) => `${rg(d.resourceGroup)}/providers/Microsoft.Network/privateDnsZones/${d.zone}`),
    ),
    ...at(
      CUSTOM_ROLES.routeEditor,
      estate.routes.map((r) => `${rg(r.resourceGroup)}/providers/Microsoft.Network/routeTables/${r.routeTable}`),
    ),
    ...at(
      BUILT_IN_ROLES.reader,
      Object.values(estate.vaults).flatMap((v) => v.recoveryNetworkIds),
    ),
    ...at(CUSTOM_ROLES.runCommandOperator, vmGroups.map(rg)),
    ...at(BUILT_IN_ROLES.monitoringReader, vmGroups.map(rg)),
    ...at(CUSTOM_ROLES.natNicEditor, nat ? [rg(resourceGroupOf(nat.recoveryVmId))] : []),
    ...at(
      BUILT_IN_ROLES.monitoringReader,
      estate.alerting.expressRouteCircuits.map((c) => c.id),
    ),
    ...at(CUSTOM_ROLES.quotaReader, [sub]),
  ];
}
