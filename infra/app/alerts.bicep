// Azure Monitor side of automatic failover: one Action Group posting the common alert schema to the
// app's /api/alerts as a Secure Webhook (Entra token, no shared secret in the URL), and the alert
// rules whose signals the product's policy maps to playbooks (DESIGN.md, "What the product does").

@description('Suffix that makes the names of the action group and the rules unique.')
param resourceToken string

@description('Azure region of the scheduled query rule (metric alerts and action groups are global).')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Default host name of the Function App that receives the alerts.')
param functionAppHostName string

@description('Object id of the Entra app registration protecting the API (Secure Webhook objectId).')
param apiAppObjectId string

@description('Identifier URI of that app registration (Secure Webhook identifierUri), e.g. api://dr-automation.')
param apiAppIdentifierUri string

@description('Addresses that also get every alert by e-mail; may be empty.')
param alertEmailAddresses string[]

@description('Resource id of the primary ExpressRoute circuit.')
param expressRouteCircuitId string

@description('Resource id of the secondary ExpressRoute circuit; empty: none (no rules for it).')
param expressRouteSecondaryCircuitId string

@description('Average BGP/ARP availability (percent) below which the circuit counts as down.')
@minValue(1)
@maxValue(100)
param expressRouteAvailabilityThreshold int

@description('Resource id of an Azure-hosted NAT/firewall virtual machine; empty: no VmAvailabilityMetric rule.')
param natVmResourceId string

@description('Resource id of the customer\'s Log Analytics workspace receiving the estate\'s heartbeats; empty: no heartbeat rule.')
param estateWorkspaceId string

@description('Heartbeat Computer name of the NAT/firewall (e.g. NAT01); empty: no heartbeat rule.')
param natHeartbeatComputer string

@description('Resource id of the Log Analytics workspace receiving the vaults\' Site Recovery logs.')
param asrLogsWorkspaceId string

@description('RPO threshold in minutes; a replicated machine above it raises the RPO alert.')
param rpoThresholdMinutes int

@description('Resource id of the Service Bus namespace holding the step queue.')
param serviceBusNamespaceId string

@description('Name of the step queue whose dead-lettered messages are alerted on.')
param stepQueueName string

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-dr-automation-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'dr-auto'
    enabled: true
    webhookReceivers: [
      {
        name: 'dr-automation-alerts'
        serviceUri: 'https://${functionAppHostName}/api/alerts'
        useCommonAlertSchema: true
        useAadAuth: true
        objectId: apiAppObjectId
        identifierUri: apiAppIdentifierUri
        tenantId: tenant().tenantId
      }
    ]
    emailReceivers: [
      for (address, i) in alertEmailAddresses: {
        name: 'email-${i}'
        emailAddress: address
        useCommonAlertSchema: true
      }
    ]
  }
}

// ExpressRoute down -> full site failover. The circuits are Active/Passive: the policy treats one
// circuit down as a warning (redundancy lost) and starts a site failover only once every circuit of
// the estate's alerting.expressRouteCircuits has alerted, so each circuit gets its own rules. One rule
// per circuit and signal, so the policy sees BGP and ARP as two signals it can correlate (or require
// both). Average over all peers and links: losing one of a circuit's two redundant links gives 50 %,
// which is not that circuit down. The primary's rules keep their original names (a redeploy updates
// them); the secondary's carry "secondary".
var expressRouteMetrics = ['BgpAvailability', 'ArpAvailability']
var expressRouteCircuits = concat(
  [{ id: expressRouteCircuitId, label: 'Primary', nameInfix: '' }],
  empty(expressRouteSecondaryCircuitId)
    ? []
    : [{ id: expressRouteSecondaryCircuitId, label: 'Secondary', nameInfix: 'secondary-' }]
)
var expressRouteRules = flatten(map(
  expressRouteCircuits,
  circuit =>
    map(expressRouteMetrics, metric => {
      name: 'alert-er-${circuit.nameInfix}${toLower(metric)}-${resourceToken}'
      circuitId: circuit.id
      metric: metric
      description: '${circuit.label} ExpressRoute circuit ${last(split(circuit.id, '/'))}: ${metric} below ${expressRouteAvailabilityThreshold} % (site failover signal once every circuit is down; one circuit alone is a warning).'
    })
))

resource expressRouteAlerts 'Microsoft.Insights/metricAlerts@2018-03-01' = [
  for rule in expressRouteRules: {
    name: rule.name
    location: 'global'
    tags: tags
    properties: {
      description: rule.description
      severity: 0
      enabled: true
      scopes: [rule.circuitId]
      evaluationFrequency: 'PT1M'
      windowSize: 'PT5M'
      autoMitigate: true
      targetResourceType: 'Microsoft.Network/expressRouteCircuits'
      criteria: {
        'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
        allOf: [
          {
            criterionType: 'StaticThresholdCriterion'
            name: rule.metric
            metricNamespace: 'Microsoft.Network/expressRouteCircuits'
            metricName: rule.metric
            operator: 'LessThan'
            threshold: expressRouteAvailabilityThreshold
            timeAggregation: 'Average'
            // Private peering carries the site: averaged with Microsoft peering, its loss reads 50 %
            // and would never alert (the metrics are split by PeeringType; ExpressRoute monitoring docs).
            dimensions: [
              {
                name: 'PeeringType'
                operator: 'Include'
                values: ['AzurePrivatePeering']
              }
            ]
          }
        ]
      }
      actions: [{ actionGroupId: actionGroup.id }]
    }
  }
]

// NAT/firewall lost -> edge-tier failover and route repointing. Two optional rules; the policy
// treats either one's alert as the NAT loss signal (classifyAlert: the alert's target is one of the
// estate's alerting.natVm.resourceIds, or its Computer dimension is alerting.natVm.heartbeatComputer).
//
// (1) An Azure-hosted NAT VM (natVmResourceId): VmAvailabilityMetric is 1 while the VM is available
// and 0 while not; an average under 0.5 means down most of the last 5 minutes. The metric exists only
// for Microsoft.Compute/virtualMachines, not for an on-premises or Arc-enabled machine.
resource natVmAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = if (!empty(natVmResourceId)) {
  name: 'alert-nat-vm-availability-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    description: 'NAT/firewall VM unavailable (edge-tier failover signal).'
    severity: 1
    enabled: true
    scopes: [natVmResourceId]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    autoMitigate: true
    targetResourceType: 'Microsoft.Compute/virtualMachines'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'VmAvailabilityMetric'
          metricNamespace: 'Microsoft.Compute/virtualMachines'
          metricName: 'VmAvailabilityMetric'
          operator: 'LessThan'
          threshold: json('0.5')
          timeAggregation: 'Average'
        }
      ]
    }
    actions: [{ actionGroupId: actionGroup.id }]
  }
}

// (2) A NAT that runs anywhere with Azure Monitor Agent (on premises on vSphere, Arc-enabled, like
// the sample estate's NAT01): a log search alert on the estate's workspace when the computer has sent
// no Heartbeat for 5 minutes (the agent sends one a minute). Split by Computer, so the common-schema
// alert carries the dimension Computer=<natHeartbeatComputer> that the classifier matches; its target
// is the workspace.
// Microsoft's documented pattern: "Monitor virtual machines with Azure Monitor: Alerts", Agent
// heartbeat, log search alert rules (learn.microsoft.com/azure/azure-monitor/vm/monitor-virtual-machine-alerts):
// the Heartbeat table, last TimeGenerated per Computer. Earlier revisions of that page gave the rule's
// settings: evaluation period 1440 minutes ("This evaluates any computers that sent a heartbeat in the
// last 24 hours. If the computer didn't send a heartbeat within this window, then it won't be
// included in the query."), evaluation frequency 5 minutes.
// - windowSize P1D: the query must still see the last heartbeat to report its age, so the window is
//   the longest outage it can report: a full day, long after the edge failover has run. After a day
//   of silence the row drops out and the alert resolves (the policy only records that). The service
//   accepts windowSize 5, 10, 15, 30, 45, 60, 120, 180, 240, 300, 360, 1440 or 2880 minutes (its
//   error message, quoted in Azure/azure-rest-api-specs#21258); the query time range is at most two
//   days ("Create or edit a log search alert rule", learn.microsoft.com/azure/azure-monitor/alerts/alerts-create-log-alert-rule).
// - evaluationFrequency PT5M: as documented above. The same page allows 1 minute to 1 day but says a
//   one-minute rule has its query rewritten internally ("an internal manipulation is performed to
//   optimize the query"), which is not what a max-over-a-day query wants. Worst case: 5 min silence
//   + up to 5 min to the next evaluation + ingestion latency, then the policy's debounce.
// - autoMitigate: resolves once the condition has not held for three 5-minute periods (same page).
var natHeartbeatQuery = '''
Heartbeat
| where Computer =~ '{0}'
| summarize LastHeartbeat = max(TimeGenerated) by Computer
| where LastHeartbeat < ago(5m)
'''

resource natHeartbeatAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = if (!empty(estateWorkspaceId) && !empty(natHeartbeatComputer)) {
  name: 'alert-nat-heartbeat-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'NAT/firewall ${natHeartbeatComputer}: no heartbeat for 5 minutes'
    description: 'NAT/firewall ${natHeartbeatComputer} has sent no Heartbeat to the estate\'s workspace for 5 minutes (edge-tier failover signal).'
    severity: 1
    enabled: true
    scopes: [estateWorkspaceId]
    evaluationFrequency: 'PT5M'
    windowSize: 'P1D'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: format(natHeartbeatQuery, natHeartbeatComputer)
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            { name: 'Computer', operator: 'Include', values: ['*'] }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [actionGroup.id]
    }
  }
}

// RPO breach -> diagnose and notify, never fail over. Latest record per replicated machine from the
// vaults' AzureDiagnostics logs, kept when its RPO is above the threshold; split by machine and vault
// so each alert names them. Microsoft documents these columns (rpoInSeconds_d, replicationProviderName_s)
// for A2A and InMageAzureV2 only (site-recovery/monitor-log-analytics.md); the resource-specific table
// ASRReplicatedItems has no RPO column and is pushed once a day (site-recovery/reporting-log-analytics.md).
// No documented table carries an RPO for InMageRcm, the only provider the estate supports, so this
// rule may never fire: the nightly health check (estate rule rpoAlert) reports, per vault, whether
// rows with rpoInSeconds_d for InMageRcm reach this workspace, and its own per-VM RPO reading (ASR's
// lastRpoInSeconds) stays the signal of record. See infra/README.md, "Alerts".
var rpoQuery = '''
AzureDiagnostics
| where Category == "AzureSiteRecoveryReplicatedItems"
| where replicationProviderName_s == "InMageRcm"
| where isnotempty(name_s)
| summarize hint.strategy=partitioned arg_max(TimeGenerated, *) by name_s
| where rpoInSeconds_d > {0}
| project VirtualMachine = name_s, Vault = Resource, ReplicationHealth = replicationHealth_s, RpoInSeconds = rpoInSeconds_d
'''

resource rpoAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-asr-rpo-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'ASR RPO above ${rpoThresholdMinutes} minutes'
    description: 'A replicated machine\'s RPO is above the ${rpoThresholdMinutes} min threshold (diagnose and notify; no failover).'
    severity: 2
    enabled: true
    scopes: [asrLogsWorkspaceId]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: format(rpoQuery, rpoThresholdMinutes * 60)
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            { name: 'VirtualMachine', operator: 'Include', values: ['*'] }
            { name: 'Vault', operator: 'Include', values: ['*'] }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [actionGroup.id]
    }
  }
}

// Dead-lettered step -> a run is stuck on a step that failed ten deliveries: people must look.
resource deadLetterAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-step-queue-deadletter-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    description: 'A failover step message was dead-lettered on ${stepQueueName}.'
    severity: 1
    enabled: true
    scopes: [serviceBusNamespaceId]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    autoMitigate: true
    targetResourceType: 'Microsoft.ServiceBus/namespaces'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'DeadletteredMessages'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [
            { name: 'EntityName', operator: 'Include', values: [stepQueueName] }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    actions: [{ actionGroupId: actionGroup.id }]
  }
}

@description('Resource id of the action group.')
output actionGroupId string = actionGroup.id
