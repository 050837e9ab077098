// Log Analytics workspace (app telemetry and the vaults' Site Recovery logs) and Application
// Insights with local authentication disabled: telemetry is ingested with the managed identity.

import { logAnalyticsReaderRoleId, monitoringMetricsPublisherRoleId } from 'roles.bicep'

@description('Name of the Log Analytics workspace.')
param logAnalyticsName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Azure region of both resources.')
param location string

@description('Tags applied to both resources.')
param tags object

@description('Days the workspace keeps data; the nightly health check reads at most a few days back.')
@minValue(30)
@maxValue(730)
param retentionInDays int

@description('Object id of the Function App\'s managed identity.')
param principalId string

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionInDays
    // Entra ID only: no workspace shared keys (the app queries with its identity; the vaults'
    // diagnostic settings and Application Insights write through ARM, not with keys).
    features: { disableLocalAuth: true }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    // Identity-based ingestion only (APPLICATIONINSIGHTS_AUTHENTICATION_STRING): the connection
    // string's instrumentation key alone cannot send telemetry.
    DisableLocalAuth: true
  }
}

// Monitoring Metrics Publisher on the component: Entra-authenticated telemetry ingestion.
resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, monitoringMetricsPublisherRoleId)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisherRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Log Analytics Reader on the workspace: the health check and the RPO diagnosis query the
// Site Recovery tables (AzureDiagnostics) that the vaults' diagnostic settings send here.
resource logReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(workspace.id, principalId, logAnalyticsReaderRoleId)
  scope: workspace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', logAnalyticsReaderRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Resource id of the Log Analytics workspace.')
output workspaceId string = workspace.id

@description('Workspace (customer) id used by log queries.')
output workspaceCustomerId string = workspace.properties.customerId

@description('Name of the Application Insights component.')
output applicationInsightsName string = appInsights.name
