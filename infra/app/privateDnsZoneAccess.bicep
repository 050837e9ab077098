// One Azure Private DNS zone (deployed at the zone's resource group): the app flips internal A records.

import { privateDnsZoneContributorRoleId } from 'roles.bicep'

@description('Name of the existing private DNS zone, e.g. corp.contoso.internal.')
param zoneName string

@description('Object id of the Function App\'s managed identity.')
param principalId string

resource zone 'Microsoft.Network/privateDnsZones@2024-06-01' existing = {
  name: zoneName
}

// Private DNS Zone Contributor on the zone: read and write record sets (with ETags). Zone scope, not
// record scope, because a failover may create a record set that does not exist yet.
resource contributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(zone.id, principalId, privateDnsZoneContributorRoleId)
  scope: zone
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', privateDnsZoneContributorRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
