// The customer's existing Log Analytics workspace that receives the estate's heartbeats (the target
// domain controller's, the NAT/firewall's), deployed at the workspace's resource group, possibly in
// another subscription of the tenant. The nightly health check queries it (estate
// healthCheck.logAnalyticsWorkspaceId is this workspace's customer id) for the target DC's last Heartbeat.

import { logAnalyticsReaderRoleId } from 'roles.bicep'

@description('Name of the existing Log Analytics workspace.')
param workspaceName string

@description('Object id of the Function App\'s managed identity.')
param principalId string

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: workspaceName
}

// Log Analytics Reader on the workspace: run log queries (the Heartbeat table) and read the
// workspace; no writes, no change to its settings, data collection or retention.
resource logReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(workspace.id, principalId, logAnalyticsReaderRoleId)
  scope: workspace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', logAnalyticsReaderRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
