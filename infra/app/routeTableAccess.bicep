// One route table the edge tier repoints (deployed at the route table's resource group).

@description('Name of the existing route table.')
param routeTableName string

@description('Object id of the Function App\'s managed identity.')
param principalId string

@description('Role definition name (GUID) of the custom route editor role (customRoles.bicep).')
param routeEditorRoleId string

resource routeTable 'Microsoft.Network/routeTables@2024-05-01' existing = {
  name: routeTableName
}

// Custom route editor on the route table: read and write its routes, nothing else.
resource routeEditor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(routeTable.id, principalId, routeEditorRoleId)
  scope: routeTable
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', routeEditorRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
