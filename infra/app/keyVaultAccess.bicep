// The customer's Key Vault holding the notification secrets (deployed at the vault's resource group,
// possibly in another subscription of the tenant): the Function App resolves the Key Vault references
// of its app settings (NOTIFY_TEAMS_WEBHOOK_URL, NOTIFY_WEBHOOK_SIGNING_KEY) with its identity
// (keyVaultReferenceIdentity in api.bicep).

import { keyVaultSecretsUserRoleId } from 'roles.bicep'

@description('Name of the existing Key Vault (Azure RBAC permission model).')
param vaultName string

@description('Names of the secrets the app reads; empty: the role goes to the whole vault.')
param secretNames string[]

@description('Object id of the Function App\'s managed identity.')
param principalId string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: vaultName
}

resource secrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' existing = [for secretName in secretNames: {
  parent: vault
  name: secretName
}]

// Key Vault Secrets User on each named secret: read that secret's value and nothing else in the vault
// (learn.microsoft.com/azure/key-vault/general/rbac-guide: a role can be assigned at the scope of an
// individual secret). It takes effect only on a vault that uses the Azure RBAC permission model; a
// vault on access policies needs a get-secret policy for the identity instead.
resource secretUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (secretName, i) in secretNames: {
  name: guid(secrets[i].id, principalId, keyVaultSecretsUserRoleId)
  scope: secrets[i]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]

// Without secret names: Key Vault Secrets User on the vault (every secret in it, still nothing on keys,
// certificates or the vault itself).
resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (empty(secretNames)) {
  name: guid(vault.id, principalId, keyVaultSecretsUserRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
