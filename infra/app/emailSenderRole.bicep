// Custom role for sending e-mail through Azure Communication Services with Entra ID (the app's
// EmailClient with its managed identity). Deployed at the subscription of the Communication Services
// resource, assignable only at that resource's group; the one assignment is made on the resource
// itself (communicationServiceAccess.bicep).
//
// Actions as Microsoft documents them for sending e-mail with an Entra identity:
// - "Use a custom role to limit permissions granted to the Microsoft Entra Application"
//   (learn.microsoft.com/azure/communication-services/quickstarts/email/send-email-smtp/smtp-authentication,
//   MicrosoftDocs/azure-docs .../send-email-smtp/includes/smtp-authentication-customrole.md):
//   Microsoft.Communication/CommunicationServices/Read, .../CommunicationServices/Write and
//   Microsoft.Communication/EmailServices/write on the Communication Services resource.
// - Azure-Samples/communication-services-dotnet-quickstarts, SendEmailWithManagedIdentity (EmailClient
//   with a Function App's managed identity): "Contributor" or a custom role with
//   CommunicationServices/Read and CommunicationServices/Write.
// No built-in send-only role exists: the built-in "Communication and Email Service Owner"
// (09976791-48a7-449e-bb21-39d1a415f350) also lists and regenerates the access keys and deletes the
// resource, and Contributor reaches every resource in scope.

targetScope = 'subscription'

@description('Suffix that makes the role name unique per environment (role names are unique per tenant).')
param resourceToken string

@description('Resource group (in this subscription) of the Communication Services resource.')
param communicationServiceResourceGroup string

var emailSenderRoleName = guid(subscription().id, resourceToken, 'dr-email-sender')
// Shared with the simulated Azure, which enforces the same lists (customRolePermissions.json).
var emailSenderPermissions = loadJsonContent('customRolePermissions.json').emailSender

resource emailSender 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: emailSenderRoleName
  properties: {
    roleName: '${emailSenderPermissions.roleName} (${resourceToken})'
    description: emailSenderPermissions.description
    type: 'CustomRole'
    permissions: [
      {
        actions: emailSenderPermissions.actions
        notActions: emailSenderPermissions.notActions
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: [
      '${subscription().id}/resourceGroups/${communicationServiceResourceGroup}'
    ]
  }
}

@description('Role definition name (GUID) of the e-mail sender role.')
output emailSenderRoleId string = emailSender.name
