// Service Bus namespace and the product's queues: the step queue (one message per failover step,
// DESIGN.md "Failover runs"), the alert policy's debounce checks and the notification deliveries.
// Local (SAS) auth is disabled; the Function App reaches it with its managed identity only.

import { serviceBusDataReceiverRoleId, serviceBusDataSenderRoleId } from 'roles.bicep'

@description('Name of the Service Bus namespace.')
param name string

@description('Azure region of the namespace.')
param location string

@description('Tags applied to the namespace.')
param tags object

@description('Names of the queues: the step queue, the incident-check queue and the notification queue; the app\'s Service Bus triggers listen on them.')
param queueNames array

@description('How long the queue remembers message ids to drop duplicates (ISO 8601 duration, 20 s to 7 days).')
param duplicateDetectionWindow string

@description('Object id of the Function App\'s managed identity.')
param principalId string

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  // Standard: duplicate detection and scheduled messages; Basic has neither.
  sku: { name: 'Standard', tier: 'Standard' }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }

  resource queues 'queues' = [for queueName in queueNames: {
    name: queueName
    properties: {
      // Step message ids are deterministic (run, step, wake-up): a re-send after a crash or a lost
      // acknowledgement is dropped by the broker. See infra/README.md for the window's length.
      requiresDuplicateDetection: true
      duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow
      // A step handler starts or polls an operation and returns within seconds; the Functions host
      // renews the lock while a handler runs, so one minute only bounds how soon a crash is retried.
      lockDuration: 'PT1M'
      // Ten deliveries, then the dead-letter queue (alerted on): a poison step must not loop forever.
      maxDeliveryCount: 10
      deadLetteringOnMessageExpiration: true
      defaultMessageTimeToLive: 'P14D'
      requiresSession: false
      enablePartitioning: false
    }
  }]
}

// Azure Service Bus Data Sender on each queue: the engine enqueues ready steps and schedules
// follow-ups, the alert policy schedules its checks, the notifier enqueues deliveries.
resource sender 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (_, i) in queueNames: {
  name: guid(namespace::queues[i].id, principalId, serviceBusDataSenderRoleId)
  scope: namespace::queues[i]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataSenderRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]

// Azure Service Bus Data Receiver on each queue: the Service Bus triggers receive and settle messages.
resource receiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (_, i) in queueNames: {
  name: guid(namespace::queues[i].id, principalId, serviceBusDataReceiverRoleId)
  scope: namespace::queues[i]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataReceiverRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]

@description('Resource id of the namespace (scope of the dead-letter alert).')
output namespaceId string = namespace.id

@description('Fully qualified namespace host name (ServiceBusConnection__fullyQualifiedNamespace).')
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '//')[1], ':')[0]
