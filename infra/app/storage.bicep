// Storage account: host storage (AzureWebJobsStorage), the Flex Consumption deployment container,
// and the product's state tables. Identity only: shared keys are disabled.

import { storageBlobDataOwnerRoleId, storageTableDataContributorRoleId } from 'roles.bicep'

@description('Name of the storage account (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region of the storage account.')
param location string

@description('Tags applied to the storage account.')
param tags object

@description('Blob container that holds the Function App deployment package.')
param deploymentContainerName string

@description('Tables of the product\'s state: runs, step journal, single-run lock.')
param stateTableNames string[]

@description('Object id of the Function App\'s managed identity.')
param principalId string

@description('Resource id of the subnet the Function App integrates with: the network the account accepts besides trusted Azure services.')
param functionSubnetId string

@description('Public IP ranges (CIDR) also let in, e.g. the machine that runs azd deploy (it uploads the package to the deployment container); empty: none.')
param deploymentAllowedIpRanges string[] = []

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  // Zone-redundant: run state, journal and locks survive the loss of a zone (the product runs
  // during an outage; LRS keeps all copies in one datacenter).
  sku: { name: 'Standard_ZRS' }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    // Reachable from the Function App's subnet (service endpoint Microsoft.Storage on it, infra/README.md
    // "Network access") and the listed deployment addresses only.
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'AzureServices'
      virtualNetworkRules: [{ id: functionSubnetId, action: 'Allow' }]
      ipRules: [for range in deploymentAllowedIpRanges: { value: range, action: 'Allow' }]
    }
  }

  resource blobServices 'blobServices' = {
    name: 'default'

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: { publicAccess: 'None' }
    }
  }

  resource tableServices 'tableServices' = {
    name: 'default'

    resource stateTables 'tables' = [
      for table in stateTableNames: {
        name: table
      }
    ]
  }
}

// Storage Blob Data Owner on the account: the host's identity-based AzureWebJobsStorage (keys and
// timer-trigger leases in blob containers it creates) and reading the deployment package.
resource blobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, storageBlobDataOwnerRoleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwnerRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Table Data Contributor on the account: the state tables (runs, steps, locks) and the
// host's own diagnostic-events table, which is why the scope is the account and not each table.
resource tableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, storageTableDataContributorRoleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributorRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Name of the storage account.')
output name string = storage.name

@description('Blob endpoint, for the deployment container URL.')
output blobEndpoint string = storage.properties.primaryEndpoints.blob

@description('Table endpoint of the state tables (StateTables__tableServiceUri).')
output tableEndpoint string = storage.properties.primaryEndpoints.table
