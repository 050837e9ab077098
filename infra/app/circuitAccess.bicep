// One ExpressRoute circuit, the primary or the secondary (deployed at the circuit's resource group,
// possibly in a connectivity subscription): the health check reads its state and BGP/ARP metrics.

import { monitoringReaderRoleId } from 'roles.bicep'

@description('Name of the existing ExpressRoute circuit.')
param circuitName string

@description('Object id of the Function App\'s managed identity.')
param principalId string

resource circuit 'Microsoft.Network/expressRouteCircuits@2024-05-01' existing = {
  name: circuitName
}

// Monitoring Reader on the circuit: read the circuit (provisioning and peering state) and its metrics.
resource monitoringReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(circuit.id, principalId, monitoringReaderRoleId)
  scope: circuit
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringReaderRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
