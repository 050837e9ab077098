// One recovery VNet (deployed at the VNet's resource group): the health check and the dry-run preview
// read its DHCP DNS servers (VirtualNetworks_Get, properties.dhcpOptions.dnsServers).

import { readerRoleId } from 'roles.bicep'

@description('Name of the existing virtual network the recovered VMs land in.')
param virtualNetworkName string

@description('Object id of the Function App\'s managed identity.')
param principalId string

resource virtualNetwork 'Microsoft.Network/virtualNetworks@2024-05-01' existing = {
  name: virtualNetworkName
}

// Reader on the VNet: the least privileged built-in role with Microsoft.Network/virtualNetworks/read;
// the app never writes the VNet (Network Contributor would let it), and the scope is this VNet only.
resource reader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(virtualNetwork.id, principalId, readerRoleId)
  scope: virtualNetwork
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', readerRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
