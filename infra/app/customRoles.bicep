// Custom roles for the two actions no narrow built-in role covers. Role definitions are
// subscription-level resources, but each one is assignable only at the resource groups listed
// (custom roles cannot be made assignable at a single resource), and every assignment of them is
// made at the exact route table or VM resource group (routeTableAccess / vmResourceGroupAccess).

targetScope = 'subscription'

@description('Suffix that makes the role names unique per environment (role names are unique per tenant).')
param resourceToken string

@description('Resource groups holding the route tables the edge tier changes.')
@minLength(1)
param routeTableResourceGroups string[]

@description('Resource groups holding the recovered VMs the post-failover checks run commands on.')
@minLength(1)
param vmResourceGroups string[]

var routeTableScopes = union(map(routeTableResourceGroups, rg => '${subscription().id}/resourceGroups/${rg}'), [])
var vmScopes = union(map(vmResourceGroups, rg => '${subscription().id}/resourceGroups/${rg}'), [])

// Reads and writes user-defined routes, nothing else on the network (Network Contributor would also
// allow changing NSGs, subnets and peerings). Polling the write's async operation needs no extra action.
resource routeEditor 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, resourceToken, 'dr-route-editor')
  properties: {
    roleName: 'DR automation route editor (${resourceToken})'
    description: 'Read or write the user-defined routes of a route table (edge-tier failover).'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.Network/routeTables/routes/read'
          'Microsoft.Network/routeTables/routes/write'
        ]
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: routeTableScopes
  }
}

// Runs in-guest scripts (domain secure channel, database reachability, health probes) and reads the VM.
resource runCommandOperator 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, resourceToken, 'dr-run-command-operator')
  properties: {
    roleName: 'DR automation run command operator (${resourceToken})'
    description: 'Read virtual machines and invoke Run Command on them (post-failover checks).'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.Compute/virtualMachines/read'
          'Microsoft.Compute/virtualMachines/runCommand/action'
        ]
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: vmScopes
  }
}

@description('Role definition name (GUID) of the route editor role.')
output routeEditorRoleId string = routeEditor.name

@description('Role definition name (GUID) of the run command operator role.')
output runCommandOperatorRoleId string = runCommandOperator.name
