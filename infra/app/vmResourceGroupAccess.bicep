// One resource group of recovered VMs or of the target domain controller (deployed at that resource
// group). The scope is the resource group, not each VM, because the recovered VMs are created by the
// failover itself, after this deployment. The target DC is checked over the network (LDAP and DNS
// from the app's VNet), never through Run Command, so its resource group gets no Run Command role:
// keep the target DC in a resource group of its own (infra/README.md, "Target domain controller").

import { monitoringReaderRoleId } from 'roles.bicep'

@description('Object id of the Function App\'s managed identity.')
param principalId string

@description('Role definition name (GUID) of the custom run command operator role (customRoles.bicep).')
param runCommandOperatorRoleId string

@description('Resource group of the target domain controller; empty: not known (every group gets Run Command).')
param targetDomainControllerResourceGroup string

// Run Command reaches every VM of a resource group, so none is granted where the target DC lives.
var holdsTargetDomainController = !empty(targetDomainControllerResourceGroup) && toLower(resourceGroup().name) == toLower(targetDomainControllerResourceGroup)

// Custom run command operator: read the VMs and invoke Run Command (post-failover guest checks).
resource runCommand 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!holdsTargetDomainController) {
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
