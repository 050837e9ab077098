// The customer's Key Vault holding the notification secrets (deployed at the vault's resource group,
// possibly in another subscription of the tenant): the Function App resolves the Key Vault references
// of its app settings (NOTIFY_TEAMS_WEBHOOK_URL, NOTIFY_WEBHOOK_SIGNING_KEY) with its identity
// (keyVaultReferenceIdentity in api.bicep).

import { keyVaultSecretsUserRoleId } from 'roles.bicep'

@description('Name of the existing Key Vault (Azure RBAC permission model).')
param vaultName string

@description('Object id of the Function App\'s managed identity.')
param principalId string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: vaultName
}

// Key Vault Secrets User on the vault: read secret values (getSecret, readMetadata), nothing on keys,
// certificates or the vault itself. It takes effect only on a vault that uses the Azure RBAC
// permission model; a vault on access policies needs a get-secret policy for the identity instead.
resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, keyVaultSecretsUserRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
