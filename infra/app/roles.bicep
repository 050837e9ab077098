// Built-in role definition ids used by this deployment, one named variable per role.
// Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
// Each assignment that uses one is made on the exact resource it needs (see infra/README.md).

@export()
var siteRecoveryOperatorRoleId = '494ae006-db33-4328-bf46-533a6560a3ca' // Site Recovery Operator

@export()
var dnsZoneContributorRoleId = 'befefa01-2a29-4197-83a8-272ff33ce314' // DNS Zone Contributor

@export()
var privateDnsZoneContributorRoleId = 'b12aa53e-6015-4669-85d0-8515ebb3ae7f' // Private DNS Zone Contributor

@export()
var monitoringReaderRoleId = '43d0d8ad-25c7-4714-9337-8ba259a9fe05' // Monitoring Reader

@export()
var readerRoleId = 'acdd72a7-3385-48ef-bd42-f606fba81ae7' // Reader

@export()
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6' // Key Vault Secrets User

@export()
var logAnalyticsReaderRoleId = '73c42c96-874c-492b-b04d-ab87d138a893' // Log Analytics Reader

@export()
var monitoringMetricsPublisherRoleId = '3913510d-42f4-4e42-8a64-420c390055eb' // Monitoring Metrics Publisher

@export()
var storageBlobDataOwnerRoleId = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner

@export()
var storageTableDataContributorRoleId = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor

@export()
var serviceBusDataSenderRoleId = '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39' // Azure Service Bus Data Sender

@export()
var serviceBusDataReceiverRoleId = '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0' // Azure Service Bus Data Receiver
