// One Recovery Services vault (deployed at the vault's resource group): the app may fail over,
// commit, clean up test failovers and reprotect there, and the vault sends its Site Recovery logs
// to the product's workspace (the RPO alert and the health check read them).

import { siteRecoveryOperatorRoleId } from 'roles.bicep'

@description('Name of the existing Recovery Services vault.')
param vaultName string

@description('Object id of the Function App\'s managed identity.')
param principalId string

@description('Resource id of the Log Analytics workspace receiving the Site Recovery logs.')
param workspaceId string

@description('Name of the diagnostic setting created on the vault.')
param diagnosticSettingName string

resource vault 'Microsoft.RecoveryServices/vaults@2024-04-01' existing = {
  name: vaultName
}

// Site Recovery Operator on the vault: failover, test failover and cleanup, commit, reprotect, and
// reading protected items, recovery points and jobs. Contributor is not needed: the product never
// changes replication policies, mappings or protection.
resource operator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, siteRecoveryOperatorRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', siteRecoveryOperatorRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// AzureDiagnostics mode (no logAnalyticsDestinationType): the documented ASR queries, and the RPO
// alert, read AzureDiagnostics columns such as rpoInSeconds_d.
resource asrLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: diagnosticSettingName
  scope: vault
  properties: {
    workspaceId: workspaceId
    logs: [
      for category in [
        'AzureSiteRecoveryJobs'
        'AzureSiteRecoveryEvents'
        'AzureSiteRecoveryReplicatedItems'
        'AzureSiteRecoveryReplicationStats'
        'AzureSiteRecoveryRecoveryPoints'
        'AzureSiteRecoveryReplicationDataUploadRate'
        'AzureSiteRecoveryProtectedDiskDataChurn'
      ]: {
        category: category
        enabled: true
      }
    ]
  }
}
