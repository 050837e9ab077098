// One public Azure DNS zone (deployed at the zone's resource group): the app flips A records per tier.

import { dnsZoneContributorRoleId } from 'roles.bicep'

@description('Name of the existing public DNS zone, e.g. contoso.com.')
param zoneName string

@description('Object id of the Function App\'s managed identity.')
param principalId string

resource zone 'Microsoft.Network/dnsZones@2018-05-01' existing = {
  name: zoneName
}

// DNS Zone Contributor on the zone: read and write record sets (with ETags). Zone scope, not record
// scope, because a failover may create a record set that does not exist yet.
resource contributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(zone.id, principalId, dnsZoneContributorRoleId)
  scope: zone
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', dnsZoneContributorRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
