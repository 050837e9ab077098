// The resource group of the recovered NAT/firewall VM (deployed at that resource group): after the
// edge tier's failover the app enables IP forwarding on the VM's NIC, which ASR creates there.
// Resource-group scope because the NIC does not exist before the failover.

@description('Object id of the Function App\'s managed identity.')
param principalId string

@description('Role definition name (GUID) of the custom NAT NIC editor role (customRoles.bicep).')
param natNicEditorRoleId string

resource nicEditor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, natNicEditorRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', natNicEditorRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
