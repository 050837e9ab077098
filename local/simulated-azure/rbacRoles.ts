import customRolePermissions from "../../infra/app/customRolePermissions.json" with { type: "json" };

/** A role definition's permissions, as Azure evaluates them for control-plane (ARM) requests. */
export interface RoleDefinition {
  readonly roleName: string;
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
}

/**
 * The built-in roles infra/ assigns whose actions cover ARM requests of the app, copied as data from
 * MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/*.md (ms.date 04/25/2024),
 * the JSON block of each role's section. Data-plane roles (Storage, Service Bus, Key Vault Secrets
 * User, Monitoring Metrics Publisher) authorize dataActions on other hosts and are not modelled here.
 */
export const BUILT_IN_ROLES = {
  /** built-in-roles/management-and-governance.md, "Site Recovery Operator" (494ae006-db33-4328-bf46-533a6560a3ca). */
  siteRecoveryOperator: {
    roleName: "Site Recovery Operator",
    actions: [
      "Microsoft.Authorization/*/read",
      "Microsoft.Insights/alertRules/*",
      "Microsoft.Network/virtualNetworks/read",
      "Microsoft.RecoveryServices/locations/allocatedStamp/read",
      "Microsoft.RecoveryServices/locations/allocateStamp/action",
      "Microsoft.RecoveryServices/Vaults/extendedInformation/read",
      "Microsoft.RecoveryServices/Vaults/read",
      "Microsoft.RecoveryServices/Vaults/refreshContainers/read",
      "Microsoft.RecoveryServices/Vaults/registeredIdentities/operationResults/read",
      "Microsoft.RecoveryServices/Vaults/registeredIdentities/read",
      "Microsoft.RecoveryServices/vaults/replicationAlertSettings/read",
      "Microsoft.RecoveryServices/vaults/replicationEvents/read",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/checkConsistency/action",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/read",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/reassociateGateway/action",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/renewcertificate/action",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationNetworks/read",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationNetworks/replicationNetworkMappings/read",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/read",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectableItems/read",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/applyRecoveryPoint/action",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/failoverCommit/action",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/plannedFailover/action",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/read",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/recoveryPoints/read",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/repairReplication/action",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/reProtect/action",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/switchprotection/action",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/testFailover/action",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/testFailoverCleanup/action",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/unplannedFailover/action",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/updateMobilityService/action",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectionContainerMappings/read",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationRecoveryServicesProviders/read",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationRecoveryServicesProviders/refreshProvider/action",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationStorageClassifications/read",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationStorageClassifications/replicationStorageClassificationMappings/read",
      "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationvCenters/read",
      "Microsoft.RecoveryServices/vaults/replicationJobs/*",
      "Microsoft.RecoveryServices/vaults/replicationPolicies/read",
      "Microsoft.RecoveryServices/vaults/replicationRecoveryPlans/failoverCommit/action",
      "Microsoft.RecoveryServices/vaults/replicationRecoveryPlans/plannedFailover/action",
      "Microsoft.RecoveryServices/vaults/replicationRecoveryPlans/read",
      "Microsoft.RecoveryServices/vaults/replicationRecoveryPlans/reProtect/action",
      "Microsoft.RecoveryServices/vaults/replicationRecoveryPlans/testFailover/action",
      "Microsoft.RecoveryServices/vaults/replicationRecoveryPlans/testFailoverCleanup/action",
      "Microsoft.RecoveryServices/vaults/replicationRecoveryPlans/unplannedFailover/action",
      "Microsoft.RecoveryServices/vaults/replicationVaultSettings/read",
      "Microsoft.RecoveryServices/Vaults/monitoringAlerts/*",
      "Microsoft.RecoveryServices/Vaults/monitoringConfigurations/notificationConfiguration/read",
      "Microsoft.RecoveryServices/Vaults/storageConfig/read",
      "Microsoft.RecoveryServices/Vaults/tokenInfo/read",
      "Microsoft.RecoveryServices/Vaults/usages/read",
      "Microsoft.RecoveryServices/Vaults/vaultTokens/read",
      "Microsoft.ResourceHealth/availabilityStatuses/read",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Storage/storageAccounts/read",
      "Microsoft.Support/*",
    ],
    notActions: [],
  },
  /** built-in-roles/networking.md, "DNS Zone Contributor" (befefa01-2a29-4197-83a8-272ff33ce314). */
  dnsZoneContributor: {
    roleName: "DNS Zone Contributor",
    actions: [
      "Microsoft.Authorization/*/read",
      "Microsoft.Insights/alertRules/*",
      "Microsoft.Network/dnsZones/*",
      "Microsoft.ResourceHealth/availabilityStatuses/read",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Support/*",
    ],
    notActions: [],
  },
  /** built-in-roles/networking.md, "Private DNS Zone Contributor" (b12aa53e-6015-4669-85d0-8515ebb3ae7f). */
  privateDnsZoneContributor: {
    roleName: "Private DNS Zone Contributor",
    actions: [
      "Microsoft.Insights/alertRules/*",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Support/*",
      "Microsoft.Network/privateDnsZones/*",
      "Microsoft.Network/privateDnsOperationResults/*",
      "Microsoft.Network/privateDnsOperationStatuses/*",
      "Microsoft.Network/virtualNetworks/read",
      "Microsoft.Network/virtualNetworks/join/action",
      "Microsoft.Authorization/*/read",
    ],
    notActions: [],
  },
  /** built-in-roles/monitor.md, "Monitoring Reader" (43d0d8ad-25c7-4714-9337-8ba259a9fe05). */
  monitoringReader: {
    roleName: "Monitoring Reader",
    actions: ["*/read", "Microsoft.OperationalInsights/workspaces/search/action", "Microsoft.Support/*"],
    notActions: [],
  },
  /** built-in-roles/general.md, "Reader" (acdd72a7-3385-48ef-bd42-f606fba81ae7): what `estate discover` needs, and no write; infra assigns it on each recovery VNet. */
  reader: {
    roleName: "Reader",
    actions: ["*/read"],
    notActions: [],
  },
  /** built-in-roles/analytics.md, "Log Analytics Reader" (73c42c96-874c-492b-b04d-ab87d138a893). */
  logAnalyticsReader: {
    roleName: "Log Analytics Reader",
    actions: [
      "*/read",
      "Microsoft.OperationalInsights/workspaces/analytics/query/action",
      "Microsoft.OperationalInsights/workspaces/search/action",
      "Microsoft.Support/*",
    ],
    notActions: ["Microsoft.OperationalInsights/workspaces/sharedKeys/read"],
  },
} as const satisfies Record<string, RoleDefinition>;

/** The custom roles exactly as infra deploys them (infra/app/customRolePermissions.json, read by the Bicep with loadJsonContent). */
export const CUSTOM_ROLES = {
  routeEditor: customRolePermissions.routeEditor,
  runCommandOperator: customRolePermissions.runCommandOperator,
  natNicEditor: customRolePermissions.natNicEditor,
  quotaReader: customRolePermissions.quotaReader,
  emailSender: customRolePermissions.emailSender,
} as const satisfies Record<string, RoleDefinition>;
