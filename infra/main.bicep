// Deployment of the DR automation (azd: `azd provision` / `azd up`), in the style of the azd
// Functions quickstarts (Flex Consumption).
//
// Target scope: subscription. The customer's subscription already holds what the product acts on
// (the two Recovery Services vaults, the DNS zones, the route tables, the recovery VNets, the
// recovered VMs' resource groups), each in its own resource group. A subscription-scoped deployment can create the app's
// own resource group, define the narrow custom roles (role definitions are subscription-level
// resources), and reach each existing resource group with a module deployed at that group's scope,
// so every role assignment is made on the exact resource. No assignment is made at the subscription.
// The same holds for the optional resources the app also reads or uses: the secondary ExpressRoute
// circuit, the estate's Log Analytics workspace, the Key Vault of the notification secrets and the
// Communication Services resource.

targetScope = 'subscription'

import { resourceRef } from 'app/types.bicep'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; seeds the resource token and names the resource group.')
param environmentName string

@minLength(1)
@description('Region of the app\'s resources (must offer Flex Consumption). Prefer a region that is not a failover target, so the automation does not share the fate of the site it fails over to.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Name of the app\'s resource group; empty uses rg-<environmentName>.')
param resourceGroupName string = ''

@description('Recovery Services vaults of the estate (East US and Southeast Asia), each by resource group and name.')
@minLength(1)
param recoveryVaults resourceRef[]

@description('Public Azure DNS zones whose A records a failover flips.')
param publicDnsZones resourceRef[]

@description('Azure Private DNS zones whose A records a failover flips.')
param privateDnsZones resourceRef[]

@description('Route tables whose routes the edge tier repoints to the recovered NAT/firewall.')
@minLength(1)
param routeTables resourceRef[]

@description('Recovery VNets the recovered VMs land in (estate vaults.<key>.recoveryNetworkIds), each by resource group and name: the app gets Reader on each to read its DNS servers.')
@minLength(1)
param recoveryVirtualNetworks resourceRef[]

@description('Resource groups that hold (or will hold, after failover) the recovered VMs and the target domain controller.')
@minLength(1)
param vmResourceGroups string[]

@description('Resource group of the target domain controller (estate targetDomainController.vmId), one of vmResourceGroups: it gets Monitoring Reader but never the Run Command role, so keep the target DC in a resource group without recovered VMs (infra/README.md, "Target domain controller"). Empty: not known, every group in vmResourceGroups gets Run Command.')
param targetDomainControllerResourceGroup string = ''

@description('Resource group that will hold the recovered NAT/firewall VM (the resource group of the estate\'s NAT VM recoveryVmId, one of vmResourceGroups): the app enables IP forwarding on its NIC after failover.')
@minLength(1)
param natResourceGroup string

@description('Resource id of the subnet the Function App integrates with (Microsoft.Network/virtualNetworks/subnets), delegated to Microsoft.App/environments, that can reach the recovery VNets of both regions: the post-failover probes and checks call the recovered VMs\' private addresses. See infra/README.md, "VNet integration".')
@minLength(1)
param functionSubnetId string

@description('Resource id of the primary ExpressRoute circuit (may be in another subscription).')
param expressRouteCircuitId string

@description('Resource id of the secondary ExpressRoute circuit (may be in another subscription): it gets its own BGP/ARP alert rules (a site failover needs every circuit down) and the health check reads its metrics too. Empty: no secondary circuit.')
param expressRouteSecondaryCircuitId string = ''

@description('Average BGP/ARP availability (percent) below which the circuit alert fires.')
@minValue(1)
@maxValue(100)
param expressRouteAvailabilityThreshold int = 50

@description('Resource id of an Azure-hosted NAT/firewall VM (Microsoft.Compute/virtualMachines) whose VmAvailabilityMetric is alerted on. Empty: no such rule (the metric does not exist for an on-premises or Arc-enabled machine; use natHeartbeatComputer).')
param natVmResourceId string = ''

@description('Resource id of the customer\'s existing Log Analytics workspace that receives the estate\'s heartbeats (the target DC\'s and the NAT/firewall\'s; estate healthCheck.logAnalyticsWorkspaceId is its customer id); may be in another subscription. The app\'s identity gets Log Analytics Reader on it for the health check, and the NAT heartbeat rule queries it. Empty: neither.')
param estateWorkspaceId string = ''

@description('Computer name (the Heartbeat table\'s Computer column, estate alerting.natVm.heartbeatComputer, e.g. NAT01) of the NAT/firewall: with estateWorkspaceId, a log search alert fires when it has sent no Heartbeat to that workspace for 5 minutes. Empty: no heartbeat rule.')
param natHeartbeatComputer string = ''

@description('Application (client) id of the Entra app registration protecting the HTTP API.')
param apiAppClientId string

@description('Object id of that app registration (the Action Group\'s Secure Webhook needs it).')
param apiAppObjectId string

@description('Identifier URI of that app registration (e.g. api://dr-automation); the accepted token audience and the Secure Webhook identifierUri.')
param apiAppIdentifierUri string

@description('Access token version of the API registration (its accessTokenAcceptedVersion; the default manifest gives 1): built-in authentication expects the matching issuer, and the Action Group\'s Secure Webhook token has that version too. See infra/README.md, "Secure Webhook token".')
@allowed([1, 2])
param apiAccessTokenVersion int = 1

@description('Public IP ranges (CIDR) the app\'s storage account also accepts, besides the Function App\'s subnet: the machine or agent that runs azd deploy uploads the package there. Empty: none (deploy from inside the VNet).')
param deploymentAllowedIpRanges string[] = []

@description('Days each audit blob stays immutable (time-based retention of the audit container; docs/audit.md).')
@minValue(1)
@maxValue(146000)
param auditRetentionDays int = 2555

@description('E-mail addresses that also receive every alert; may be empty.')
param alertEmailAddresses string[] = []

@description('Path of the estate file the app loads (ESTATE_CONFIG_PATH), relative to the deployed package root or absolute.')
param estateConfigPath string = 'estate/sample-estate.json'

@description('RPO threshold in minutes for the RPO alert (the replication policy\'s threshold).')
@minValue(1)
param rpoThresholdMinutes int = 30

@description('Duplicate detection window of the step queue (ISO 8601). It must outlast any re-send of a step message; see infra/README.md.')
param stepQueueDuplicateDetectionWindow string = 'P1D'

@description('Most instances the Flex Consumption app may scale out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Days the Log Analytics workspace keeps data.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Base URL of the run pages linked from notifications; empty: the Function App\'s /api/runs.')
param runPageBaseUrl string = ''

@description('Teams incoming-webhook or Workflows URL as a Key Vault reference, @Microsoft.KeyVault(SecretUri=https://<vault>.vault.azure.net/secrets/<name>); empty: no Teams notifications.')
param notifyTeamsWebhookUrlReference string = ''

@description('URL of the generic JSON webhook for notifications (a Key Vault reference if it carries a token); empty: none.')
param notifyWebhookUrl string = ''

@description('The webhook\'s HMAC-SHA256 signing key(s) as a Key Vault reference, @Microsoft.KeyVault(SecretUri=...).')
param notifyWebhookSigningKeyReference string = ''

@description('Azure Communication Services endpoint for e-mail notifications, https://<resource>.communication.azure.com; empty: no e-mail.')
param notifyEmailEndpoint string = ''

@description('Sender address of a verified ACS e-mail domain, e.g. DoNotReply@<domain>.')
param notifyEmailSender string = ''

@description('E-mail recipients of notifications, comma-separated.')
param notifyEmailTo string = ''

@description('Which event kinds each notification channel receives, as JSON (see docs/notifications.md); empty: defaults.')
param notifyRoutes string = ''

@description('Resource id of the Key Vault (Azure RBAC permission model) holding the secrets the notification Key Vault references point at; the app\'s identity gets Key Vault Secrets User on it. Empty: no role assignment (plain values, or access granted outside this deployment).')
param notificationKeyVaultId string = ''

@description('Names of the secrets in notificationKeyVaultId that the Key Vault references point at (e.g. the Teams URL and the webhook signing key): Key Vault Secrets User is granted on each secret, not on the vault. Empty: on the whole vault.')
param notificationKeyVaultSecretNames string[] = []

@description('Resource id of the Azure Communication Services resource behind notifyEmailEndpoint; the app\'s identity gets the custom e-mail sender role on it. Empty: no role assignment (no e-mail, or access granted outside this deployment).')
param notificationCommunicationServiceId string = ''

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = '${abbrs.webSitesFunctions}dr-${resourceToken}'
var deploymentContainerName = 'app-package-${resourceToken}'
var stepQueueName = 'failover-steps'
// The step queue, the alert policy's debounce checks, the notification deliveries (shared/config/names.ts).
var queueNames = ['failover-steps', 'incident-checks', 'notifications']
// Every state table the app uses (shared/config/names.ts STATE_TABLES): created here, not at run time.
var stateTableNames = ['runs', 'steps', 'locks', 'incidents', 'audit', 'idempotency', 'healthreports', 'channelHealth', 'notificationDeliveries']
// The immutable copy of the audit trail (shared/adapters/blobAuditCopy.ts).
var auditBlobContainerName = 'audit'


// Optional resource ids split into segments (/subscriptions/{sub}/resourceGroups/{rg}/providers/...).
// ARM evaluates a skipped module's name and scope too, so an empty id stands in as a made-up resource
// in the app's own resource group: the expressions stay valid and the module is still not deployed.
var standInResourceId = '${subscription().id}/resourceGroups/${rg.name}/providers/none/none/none'
var secondaryCircuit = split(empty(expressRouteSecondaryCircuitId) ? standInResourceId : expressRouteSecondaryCircuitId, '/')
var notificationKeyVault = split(empty(notificationKeyVaultId) ? standInResourceId : notificationKeyVaultId, '/')
var estateWorkspace = split(empty(estateWorkspaceId) ? standInResourceId : estateWorkspaceId, '/')
var notificationCommunicationService = split(
  empty(notificationCommunicationServiceId) ? standInResourceId : notificationCommunicationServiceId,
  '/'
)

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}dr-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    stateTableNames: stateTableNames
    principalId: identity.outputs.principalId
    functionSubnetId: functionSubnetId
    deploymentAllowedIpRanges: deploymentAllowedIpRanges
  }
}

module auditStorage 'app/auditStorage.bicep' = {
  name: 'auditStorage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}audit${resourceToken}'
    location: location
    tags: tags
    containerName: auditBlobContainerName
    retentionDays: auditRetentionDays
    functionSubnetId: functionSubnetId
    principalId: identity.outputs.principalId
  }
}

module serviceBus 'app/serviceBus.bicep' = {
  name: 'serviceBus'
  scope: rg
  params: {
    name: '${abbrs.serviceBusNamespaces}dr-${resourceToken}'
    location: location
    tags: tags
    queueNames: queueNames
    duplicateDetectionWindow: stepQueueDuplicateDetectionWindow
    principalId: identity.outputs.principalId
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}dr-${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}dr-${resourceToken}'
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
    principalId: identity.outputs.principalId
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}dr-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    estateConfigPath: estateConfigPath
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    stateTableServiceUri: storage.outputs.tableEndpoint
    auditBlobContainerUrl: '${auditStorage.outputs.blobEndpoint}${auditBlobContainerName}'
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: 2048
    virtualNetworkSubnetId: functionSubnetId
    apiAppClientId: apiAppClientId
    apiAppAudience: apiAppIdentifierUri
    apiAccessTokenVersion: apiAccessTokenVersion
    runPageBaseUrl: runPageBaseUrl
    notifyTeamsWebhookUrlReference: notifyTeamsWebhookUrlReference
    notifyWebhookUrl: notifyWebhookUrl
    notifyWebhookSigningKeyReference: notifyWebhookSigningKeyReference
    notifyEmailEndpoint: notifyEmailEndpoint
    notifyEmailSender: notifyEmailSender
    notifyEmailTo: notifyEmailTo
    notifyRoutes: notifyRoutes
  }
}

module alerts 'app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    resourceToken: resourceToken
    location: location
    tags: tags
    functionAppHostName: api.outputs.defaultHostName
    apiAppObjectId: apiAppObjectId
    apiAppIdentifierUri: apiAppIdentifierUri
    alertEmailAddresses: alertEmailAddresses
    expressRouteCircuitId: expressRouteCircuitId
    expressRouteSecondaryCircuitId: expressRouteSecondaryCircuitId
    expressRouteAvailabilityThreshold: expressRouteAvailabilityThreshold
    natVmResourceId: natVmResourceId
    estateWorkspaceId: estateWorkspaceId
    natHeartbeatComputer: natHeartbeatComputer
    asrLogsWorkspaceId: monitoring.outputs.workspaceId
    rpoThresholdMinutes: rpoThresholdMinutes
    serviceBusNamespaceId: serviceBus.outputs.namespaceId
    stepQueueName: stepQueueName
  }
}

// ---- Access to the customer's existing resources, each at its own resource group ----

module customRoles 'app/customRoles.bicep' = {
  name: 'customRoles-${resourceToken}'
  params: {
    resourceToken: resourceToken
    routeTableResourceGroups: map(routeTables, rt => rt.resourceGroup)
    vmResourceGroups: vmResourceGroups
    natResourceGroup: natResourceGroup
  }
}

module vaultAccess 'app/vaultAccess.bicep' = [
  for vault in recoveryVaults: {
    name: take('dr-vault-${resourceToken}-${vault.name}', 64)
    scope: resourceGroup(vault.resourceGroup)
    params: {
      vaultName: vault.name
      principalId: identity.outputs.principalId
      workspaceId: monitoring.outputs.workspaceId
      diagnosticSettingName: 'dr-automation-${resourceToken}'
    }
  }
]

module publicDnsAccess 'app/publicDnsZoneAccess.bicep' = [
  for zone in publicDnsZones: {
    name: take('dr-dns-${resourceToken}-${zone.name}', 64)
    scope: resourceGroup(zone.resourceGroup)
    params: {
      zoneName: zone.name
      principalId: identity.outputs.principalId
    }
  }
]

module privateDnsAccess 'app/privateDnsZoneAccess.bicep' = [
  for zone in privateDnsZones: {
    name: take('dr-pdns-${resourceToken}-${zone.name}', 64)
    scope: resourceGroup(zone.resourceGroup)
    params: {
      zoneName: zone.name
      principalId: identity.outputs.principalId
    }
  }
]

module routeTableAccess 'app/routeTableAccess.bicep' = [
  for routeTable in routeTables: {
    name: take('dr-rt-${resourceToken}-${routeTable.name}', 64)
    scope: resourceGroup(routeTable.resourceGroup)
    params: {
      routeTableName: routeTable.name
      principalId: identity.outputs.principalId
      routeEditorRoleId: customRoles.outputs.routeEditorRoleId
    }
  }
]

module virtualNetworkAccess 'app/virtualNetworkAccess.bicep' = [
  for virtualNetwork in recoveryVirtualNetworks: {
    name: take('dr-vnet-${resourceToken}-${virtualNetwork.name}', 64)
    scope: resourceGroup(virtualNetwork.resourceGroup)
    params: {
      virtualNetworkName: virtualNetwork.name
      principalId: identity.outputs.principalId
    }
  }
]

module vmAccess 'app/vmResourceGroupAccess.bicep' = [
  for vmResourceGroup in vmResourceGroups: {
    name: take('dr-vms-${resourceToken}-${vmResourceGroup}', 64)
    scope: resourceGroup(vmResourceGroup)
    params: {
      principalId: identity.outputs.principalId
      runCommandOperatorRoleId: customRoles.outputs.runCommandOperatorRoleId
      targetDomainControllerResourceGroup: targetDomainControllerResourceGroup
    }
  }
]

module natNicAccess 'app/natNicAccess.bicep' = {
  name: take('dr-natnic-${resourceToken}-${natResourceGroup}', 64)
  scope: resourceGroup(natResourceGroup)
  params: {
    principalId: identity.outputs.principalId
    natNicEditorRoleId: customRoles.outputs.natNicEditorRoleId
  }
}

// The subscription itself: regional vCPU quotas and VM sizes are subscription-level reads.
resource quotaAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, resourceToken, 'dr-quota-reader')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', customRoles.outputs.quotaReaderRoleId)
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
  }
}

module circuitAccess 'app/circuitAccess.bicep' = {
  name: 'dr-circuit-${resourceToken}'
  // The circuit is addressed by resource id: /subscriptions/{sub}/resourceGroups/{rg}/providers/...
  scope: resourceGroup(split(expressRouteCircuitId, '/')[2], split(expressRouteCircuitId, '/')[4])
  params: {
    circuitName: last(split(expressRouteCircuitId, '/'))
    principalId: identity.outputs.principalId
  }
}

module secondaryCircuitAccess 'app/circuitAccess.bicep' = if (!empty(expressRouteSecondaryCircuitId)) {
  name: 'dr-circuit2-${resourceToken}'
  scope: resourceGroup(secondaryCircuit[2], secondaryCircuit[4])
  params: {
    circuitName: last(secondaryCircuit)
    principalId: identity.outputs.principalId
  }
}

// ---- The customer's Log Analytics workspace with the estate's heartbeats (health check) ----

module estateWorkspaceAccess 'app/workspaceAccess.bicep' = if (!empty(estateWorkspaceId)) {
  name: 'dr-law-${resourceToken}'
  scope: resourceGroup(estateWorkspace[2], estateWorkspace[4])
  params: {
    workspaceName: last(estateWorkspace)
    principalId: identity.outputs.principalId
  }
}

// ---- Notifications: the secrets' Key Vault and the e-mail's Communication Services resource ----

module notificationKeyVaultAccess 'app/keyVaultAccess.bicep' = if (!empty(notificationKeyVaultId)) {
  name: 'dr-kv-${resourceToken}'
  scope: resourceGroup(notificationKeyVault[2], notificationKeyVault[4])
  params: {
    vaultName: last(notificationKeyVault)
    secretNames: notificationKeyVaultSecretNames
    principalId: identity.outputs.principalId
  }
}

// The e-mail sender role is defined in the Communication Services resource's own subscription
// (assignable only at its resource group), then assigned on the resource.
module emailSenderRole 'app/emailSenderRole.bicep' = if (!empty(notificationCommunicationServiceId)) {
  name: 'dr-email-role-${resourceToken}'
  scope: subscription(notificationCommunicationService[2])
  params: {
    resourceToken: resourceToken
    communicationServiceResourceGroup: notificationCommunicationService[4]
  }
}

module communicationServiceAccess 'app/communicationServiceAccess.bicep' = if (!empty(notificationCommunicationServiceId)) {
  name: 'dr-acs-${resourceToken}'
  scope: resourceGroup(notificationCommunicationService[2], notificationCommunicationService[4])
  params: {
    communicationServiceName: last(notificationCommunicationService)
    principalId: identity.outputs.principalId
    emailSenderRoleId: emailSenderRole!.outputs.emailSenderRoleId
  }
}

// ---- Outputs read by azd (and printed by `azd env get-values`) ----

@description('Region of the deployment.')
output AZURE_LOCATION string = location

@description('Tenant of the deployment.')
output AZURE_TENANT_ID string = tenant().tenantId

@description('Resource group of the app.')
output RESOURCE_GROUP string = rg.name

@description('Name of the Function App (azd deploy target of service api).')
output SERVICE_API_NAME string = api.outputs.name

@description('Base URL of the HTTP API.')
output SERVICE_API_URI string = 'https://${api.outputs.defaultHostName}'

@description('Client id of the app\'s managed identity.')
output AZURE_CLIENT_ID string = identity.outputs.clientId

@description('Service Bus namespace of the step queue.')
output SERVICE_BUS_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace

@description('Table endpoint of the state tables.')
output STATE_TABLES_URI string = storage.outputs.tableEndpoint

@description('Workspace id (customer id) of the Log Analytics workspace with the Site Recovery logs.')
output LOG_ANALYTICS_WORKSPACE_ID string = monitoring.outputs.workspaceCustomerId
