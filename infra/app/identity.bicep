// User-assigned managed identity of the Function App: the only principal the product runs as.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region of the identity.')
param location string

@description('Tags applied to the identity.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id of the identity.')
output id string = identity.id

@description('Client id of the identity (AZURE_CLIENT_ID and the host\'s __clientId settings).')
output clientId string = identity.properties.clientId

@description('Object (principal) id of the identity, the assignee of every role assignment.')
output principalId string = identity.properties.principalId
