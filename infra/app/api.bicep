// The Function App on Flex Consumption (Linux, Node.js 20), its app settings and its built-in
// authentication (Entra ID). Every connection is identity-based: no key or connection secret.

@description('Name of the Function App.')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region of the plan and the app.')
param location string

@description('Tags applied to the plan and the app; the app also gets azd-service-name.')
param tags object

@description('Resource id of the user-assigned managed identity the app runs as.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('Name of the storage account (host storage and deployment package).')
param storageAccountName string

@description('Blob endpoint of that account.')
param storageBlobEndpoint string

@description('Blob container holding the deployment package.')
param deploymentContainerName string

@description('Name of the Application Insights component the app sends telemetry to.')
param applicationInsightsName string

@description('Path of the estate file (ESTATE_CONFIG_PATH).')
param estateConfigPath string

@description('Service Bus namespace host name (ServiceBusConnection__fullyQualifiedNamespace).')
param serviceBusFullyQualifiedNamespace string

@description('Table endpoint of the state tables (StateTables__tableServiceUri).')
param stateTableServiceUri string

@description('NCRONTAB schedule of the nightly health check (HEALTH_CHECK_SCHEDULE): {second} {minute} {hour} {day} {month} {day-of-week}, UTC.')
param healthCheckSchedule string = '0 0 2 * * *'

@description('Most instances Flex Consumption may scale the app out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory of each instance in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int

@description('Resource id of the subnet (delegated to Microsoft.App/environments) the app integrates with, so its probes and checks reach the recovered VMs\' private addresses.')
param virtualNetworkSubnetId string

@description('Application (client) id of the Entra app registration that protects the HTTP API.')
param apiAppClientId string

@description('URL of the audit copy\'s blob container (AUDIT_BLOB_CONTAINER_URL, auditStorage.bicep).')
param auditBlobContainerUrl string

@description('Audience the API accepts in access tokens (usually the app registration\'s identifier URI, api://...).')
param apiAppAudience string

@description('Version of the access tokens Entra ID issues for the API (the registration\'s accessTokenAcceptedVersion; null in the manifest means 1). It picks the issuer built-in authentication expects: 1 is https://sts.windows.net/{tenant}/, the issuer of the Action Group\'s Secure Webhook token under the default manifest; 2 is {login endpoint}/{tenant}/v2.0.')
@allowed([1, 2])
param apiAccessTokenVersion int = 1

// ---- Notifications (docs/notifications.md). Secrets come in as Key Vault references, never as values. ----

@description('Base URL of the run pages that notifications link to (RUN_PAGE_BASE_URL, link = <base>/<runId>); empty: the console, https://<app host name>/api/console/runs.')
param runPageBaseUrl string = ''

@description('Teams incoming-webhook or Workflows URL (NOTIFY_TEAMS_WEBHOOK_URL) as a Key Vault reference, @Microsoft.KeyVault(SecretUri=https://<vault>.vault.azure.net/secrets/<name>); empty: no Teams.')
param notifyTeamsWebhookUrlReference string = ''

@description('URL of the generic JSON webhook (NOTIFY_WEBHOOK_URL); a Key Vault reference if the URL carries a token; empty: no webhook.')
param notifyWebhookUrl string = ''

@description('HMAC-SHA256 signing key(s) of the webhook (NOTIFY_WEBHOOK_SIGNING_KEY) as a Key Vault reference, @Microsoft.KeyVault(SecretUri=...).')
param notifyWebhookSigningKeyReference string = ''

@description('Azure Communication Services endpoint for e-mail (NOTIFY_EMAIL_ENDPOINT), https://<resource>.communication.azure.com; empty: no e-mail.')
param notifyEmailEndpoint string = ''

@description('Sender address of a verified ACS e-mail domain (NOTIFY_EMAIL_SENDER), e.g. DoNotReply@<domain>.')
param notifyEmailSender string = ''

@description('E-mail recipients, comma-separated (NOTIFY_EMAIL_TO).')
param notifyEmailTo string = ''

@description('Which event kinds each channel receives (NOTIFY_ROUTES), JSON such as {"email":["runFailed","approvalNeeded"]}; empty: defaults.')
param notifyRoutes string = ''

// ---- Run API and scheduled drills (docs/http-api.md). ----

@description('The approver of a run must be someone other than its requester (APPROVAL_SEPARATE_APPROVER).')
@allowed(['true', 'false'])
param approvalSeparateApprover string = 'true'

@description('NCRONTAB schedule of the scheduled drill (DRILL_SCHEDULE), UTC; default Saturdays 03:00.')
param drillSchedule string = '0 0 3 * * 6'

@description('What the scheduled drill fails over (DRILL_SCOPE): all, none, tiers:<a,b> or vms:<a,b>.')
param drillScope string = 'all'

@description('Minutes after its last tier is ready that the scheduled drill cleans up (DRILL_CLEANUP_AFTER_MINUTES).')
@minValue(1)
@maxValue(10080)
param drillCleanupAfterMinutes int = 60

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // VNet integration (Flex Consumption: the subnet must be delegated to Microsoft.App/environments,
    // learn.microsoft.com/azure/azure-functions/flex-consumption-plan, "Considerations"). The health
    // probes and in-guest checks call the recovered VMs' private addresses, which only the VNet reaches.
    virtualNetworkSubnetId: virtualNetworkSubnetId
    // Every outbound call goes through the VNet, not only RFC 1918 ones, so the customer's NSGs and
    // routes apply to all of it and the recovery VNets' DNS servers resolve internal names.
    vnetRouteAllEnabled: true
    // Key Vault references in the app settings (notification secrets) resolve with the app's identity.
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '20'
      }
    }
  }

  resource appSettings 'config' = {
    name: 'appsettings'
    properties: {
      // Settings the product reads: exactly CONFIG_KEYS of shared/config/loadConfig.ts
      // (test/infra/infra.test.ts keeps the two in sync).
      ESTATE_CONFIG_PATH: estateConfigPath
      AZURE_CLIENT_ID: identityClientId
      ServiceBusConnection__fullyQualifiedNamespace: serviceBusFullyQualifiedNamespace
      StateTables__tableServiceUri: stateTableServiceUri
      AUDIT_BLOB_CONTAINER_URL: auditBlobContainerUrl
      RUN_PAGE_BASE_URL: empty(runPageBaseUrl) ? 'https://${functionApp.properties.defaultHostName}/api/console/runs' : runPageBaseUrl
      NOTIFY_TEAMS_WEBHOOK_URL: notifyTeamsWebhookUrlReference
      NOTIFY_WEBHOOK_URL: notifyWebhookUrl
      NOTIFY_WEBHOOK_SIGNING_KEY: notifyWebhookSigningKeyReference
      NOTIFY_EMAIL_ENDPOINT: notifyEmailEndpoint
      NOTIFY_EMAIL_SENDER: notifyEmailSender
      NOTIFY_EMAIL_TO: notifyEmailTo
      NOTIFY_ROUTES: notifyRoutes
      HEALTH_CHECK_SCHEDULE: healthCheckSchedule

      // Entra ID callers: the tenant whose tokens are accepted and the API's audiences (id URI and client id).
      AUTH_TENANT_ID: tenant().tenantId
      AUTH_AUDIENCES: '${apiAppAudience},${apiAppClientId}'
      // The Action Group posts alerts with Secure Webhook tokens, so no webhook key is deployed.
      ALERT_AUTH_MODE: 'entra'
      ALERT_WEBHOOK_KEY: ''
      APPROVAL_SEPARATE_APPROVER: approvalSeparateApprover
      // Built-in authentication (authsettingsV2 below) fronts every request and removes a client's own x-ms-client-principal.
      AUTH_APP_SERVICE_PRINCIPAL: 'trust'
      DRILL_SCHEDULE: drillSchedule
      DRILL_SCOPE: drillScope
      DRILL_CLEANUP_AFTER_MINUTES: string(drillCleanupAfterMinutes)

      // Settings the Functions host and its extensions read, each listed with its reason in
      // host-settings.json (the test subtracts that list).
      AzureWebJobsStorage__accountName: storageAccountName
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identityClientId
      ServiceBusConnection__credential: 'managedidentity'
      ServiceBusConnection__clientId: identityClientId
      APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    }
  }

  // Built-in authentication validates Entra ID bearer tokens and signs browsers in at
  // /.auth/login/aad. With no client secret the sign-in asks Entra ID for an ID token only
  // (learn.microsoft.com/azure/app-service/configure-authentication-provider-aad: the registration
  // needs ID tokens enabled and the /.auth/login/aad/callback redirect URI, infra/README.md). The
  // app checks the caller's app roles (reader, operator, approver, admin; see
  // infra/entra/app-roles.json) on each route.
  resource authSettings 'config' = {
    name: 'authsettingsV2'
    properties: {
      platform: {
        enabled: true
      }
      // Anonymous requests reach the app, which decides: the API answers 401 to a caller without a
      // token, and a person's browser opening a page or the console is sent to /.auth/login/aad
      // (shared/host/http/browserLogin.ts). Signed-in browsers arrive with x-ms-client-principal.
      globalValidation: {
        requireAuthentication: false
        unauthenticatedClientAction: 'AllowAnonymous'
      }
      httpSettings: {
        requireHttps: true
      }
      login: {
        // The browser session is App Service's own cookie; the app reads the user from
        // x-ms-client-principal and never needs the provider's tokens, so none are stored (a blob
        // token store would also need a SAS URL setting, a secret this deployment does not hold).
        tokenStore: { enabled: false }
        // Sign-in comes back only to this app's own pages (post_login_redirect_uri is a path).
        allowedExternalRedirectUrls: []
      }
      identityProviders: {
        azureActiveDirectory: {
          enabled: true
          registration: {
            clientId: apiAppClientId
            // Built-in authentication compares a token's iss with this issuer's metadata, so it must be
            // the form the API's tokens carry (learn.microsoft.com/azure/app-service/configure-authentication-provider-aad:
            // "For applications that use Azure AD v1 ... omit /v2.0 in the URL"). Every token for the
            // API, the Action Group's included, has the version the API registration asks for.
            openIdIssuer: apiAccessTokenVersion == 1 ? 'https://sts.windows.net/${tenant().tenantId}/' : '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
          }
          validation: {
            // v1 tokens carry the identifier URI as aud (the Action Group asks for it), v2 tokens the
            // client id (always allowed implicitly; listed so the intent is visible).
            allowedAudiences: [apiAppAudience, apiAppClientId]
          }
        }
      }
    }
  }
}

// No basic (user name and password) publishing credentials for FTP or the SCM site: deployments
// go through Entra ID (azd, the deployment container with the app's identity).
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: { allow: false }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: { allow: false }
}

@description('Name of the Function App.')
output name string = functionApp.name

@description('Default host name of the Function App.')
output defaultHostName string = functionApp.properties.defaultHostName
