// One resource group of recovered VMs (deployed at that resource group). The scope is the resource
// group, not each VM, because the VMs are created by the failover itself, after this deployment.

import { monitoringReaderRoleId } from 'roles.bicep'

@description('Object id of the Function App\'s managed identity.')
param principalId string

@description('Role definition name (GUID) of the custom run command operator role (customRoles.bicep).')
param runCommandOperatorRoleId string

// Custom run command operator: read the VMs and invoke Run Command (post-failover guest checks).
resource runCommand 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, runCommandOperatorRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', runCommandOperatorRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Monitoring Reader: VM metrics (VmAvailabilityMetric) and instance views (agent heartbeat) for the
// nightly health check and the target domain controller check.
resource monitoringReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, monitoringReaderRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringReaderRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
