// The immutable copy of the audit trail (docs/audit.md): a storage account of its own, so the app's
// identity holds only the audit appender role here (the host storage needs Storage Blob Data Owner,
// which would also allow deleting). Each day's entries go to one append blob in the `audit`
// container, whose time-based retention policy allows protected append writes: while an entry is
// retained, nobody (the app, an account owner) can overwrite or delete it, only append after it.

@description('Name of the audit storage account (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region of the account.')
param location string

@description('Tags applied to the account.')
param tags object

@description('Blob container of the audit copy (AUDIT_BLOB_CONTAINER).')
param containerName string

@description('Days an audit blob stays immutable after it is created (time-based retention, 1 to 146000).')
@minValue(1)
@maxValue(146000)
param retentionDays int

@description('Resource id of the subnet the Function App integrates with: the only network the account accepts besides trusted Azure services.')
param functionSubnetId string

@description('Object id of the Function App\'s managed identity.')
param principalId string

resource account 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  // Zone-redundant: the evidence survives the loss of a zone.
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
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'AzureServices'
      // Needs the Microsoft.Storage service endpoint on the subnet (infra/README.md, "Network access").
      virtualNetworkRules: [{ id: functionSubnetId, action: 'Allow' }]
    }
  }

  resource blobServices 'blobServices' = {
    name: 'default'
    properties: {
      deleteRetentionPolicy: { enabled: true, days: 7 }
      containerDeleteRetentionPolicy: { enabled: true, days: 7 }
    }

    resource auditContainer 'containers' = {
      name: containerName
      properties: { publicAccess: 'None' }

      // Time-based retention on the container (learn.microsoft.com/azure/storage/blobs/immutable-time-based-retention-policy-overview):
      // allowProtectedAppendWrites lets Append Block add to an append blob while none of its blocks
      // can be changed or deleted. Deployed unlocked; lock it once verified (docs/audit.md), after
      // which the period can only be extended.
      resource retention 'immutabilityPolicies' = {
        name: 'default'
        properties: {
          immutabilityPeriodSinceCreationInDays: retentionDays
          allowProtectedAppendWrites: true
        }
      }
    }
  }
}

// Create blobs and append blocks, and read them back; no overwrite (blobs/write) and no delete
// (learn.microsoft.com/azure/storage/blobs/storage-auth-abac-attributes: blobs/add/action is
// "Create a blob or snapshot, or append data"; blobs/write is create or update).
resource auditAppender 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(account.id, 'dr-audit-appender')
  properties: {
    roleName: 'DR automation audit appender (${name})'
    description: 'Create audit blobs and append to them in the audit storage account; no overwrite, no delete.'
    type: 'CustomRole'
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: [
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action'
        ]
        notDataActions: []
      }
    ]
    assignableScopes: [resourceGroup().id]
  }
}

// The audit appender on the audit container only.
resource appenderAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account::blobServices::auditContainer.id, principalId, auditAppender.name)
  scope: account::blobServices::auditContainer
  properties: {
    // Role definition ids are subscription-level, wherever the definition was deployed.
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', auditAppender.name)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Blob endpoint of the audit account (AUDIT_BLOB_ENDPOINT).')
output blobEndpoint string = account.properties.primaryEndpoints.blob
