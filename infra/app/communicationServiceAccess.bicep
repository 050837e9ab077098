// The customer's Azure Communication Services resource that sends the notification e-mail (deployed
// at its resource group, possibly in another subscription): the app's EmailClient calls
// NOTIFY_EMAIL_ENDPOINT with a token of its managed identity, no connection string.

@description('Name of the existing Communication Services resource.')
param communicationServiceName string

@description('Object id of the Function App\'s managed identity.')
param principalId string

@description('Role definition name (GUID) of the custom e-mail sender role (emailSenderRole.bicep).')
param emailSenderRoleId string

resource communicationService 'Microsoft.Communication/communicationServices@2023-04-01' existing = {
  name: communicationServiceName
}

// Custom e-mail sender on the Communication Services resource: send e-mail with Entra ID. Not the
// built-in Communication and Email Service Owner, which also reads and regenerates the access keys.
resource emailSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(communicationService.id, principalId, emailSenderRoleId)
  scope: communicationService
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', emailSenderRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
