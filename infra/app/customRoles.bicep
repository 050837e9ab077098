// Custom roles for the actions no narrow built-in role covers. Role definitions are
// subscription-level resources, but each one is assignable only at the resource groups listed
// (custom roles cannot be made assignable at a single resource), and every assignment of them is
// made at the exact route table or resource group (routeTableAccess / vmResourceGroupAccess /
// natNicAccess). The permission lists live in customRolePermissions.json, which the simulated
// Azure also reads, so the simulator enforces exactly what is deployed here.

targetScope = 'subscription'

@description('Suffix that makes the role names unique per environment (role names are unique per tenant).')
param resourceToken string

@description('Resource groups holding the route tables the edge tier changes.')
@minLength(1)
param routeTableResourceGroups string[]

@description('Resource groups holding the recovered VMs the post-failover checks run commands on.')
@minLength(1)
param vmResourceGroups string[]

@description('Resource group that will hold the recovered NAT/firewall VM and its network interface (ASR creates both on failover).')
param natResourceGroup string

var permissions = loadJsonContent('customRolePermissions.json')
var routeTableScopes = union(map(routeTableResourceGroups, rg => '${subscription().id}/resourceGroups/${rg}'), [])
var vmScopes = union(map(vmResourceGroups, rg => '${subscription().id}/resourceGroups/${rg}'), [])

// Reads and writes user-defined routes, nothing else on the network (Network Contributor would also
// allow changing NSGs, subnets and peerings).
resource routeEditor 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, resourceToken, 'dr-route-editor')
  properties: {
    roleName: '${permissions.routeEditor.roleName} (${resourceToken})'
    description: permissions.routeEditor.description
    type: 'CustomRole'
    permissions: [
      {
        actions: permissions.routeEditor.actions
        notActions: permissions.routeEditor.notActions
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
    roleName: '${permissions.runCommandOperator.roleName} (${resourceToken})'
    description: permissions.runCommandOperator.description
    type: 'CustomRole'
    permissions: [
      {
        actions: permissions.runCommandOperator.actions
        notActions: permissions.runCommandOperator.notActions
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: vmScopes
  }
}

// Enables IP forwarding on the recovered NAT/firewall's NIC (the routes point at it). The NIC does not
// exist before the failover creates it, so the narrowest scope known at deployment is the NAT VM's
// resource group; Network Contributor there would also allow changing the VNets, NSGs and routes.
resource natNicEditor 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, resourceToken, 'dr-nat-nic-editor')
  properties: {
    roleName: '${permissions.natNicEditor.roleName} (${resourceToken})'
    description: permissions.natNicEditor.description
    type: 'CustomRole'
    permissions: [
      {
        actions: permissions.natNicEditor.actions
        notActions: permissions.natNicEditor.notActions
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: ['${subscription().id}/resourceGroups/${natResourceGroup}']
  }
}

@description('Role definition name (GUID) of the route editor role.')
output routeEditorRoleId string = routeEditor.name

@description('Role definition name (GUID) of the run command operator role.')
output runCommandOperatorRoleId string = runCommandOperator.name

@description('Role definition name (GUID) of the NAT NIC editor role.')
output natNicEditorRoleId string = natNicEditor.name

// Reads the regional vCPU quotas and the VM sizes offered: the nightly check and the run preview
// compare them with the estate's target sizes. Both exist only at subscription scope
// (/subscriptions/{sub}/providers/Microsoft.Compute/locations/{l}/usages and .../skus), so this
// role is assignable there and grants these two reads alone (Reader would read every resource).
resource quotaReader 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, resourceToken, 'dr-quota-reader')
  properties: {
    roleName: '${permissions.quotaReader.roleName} (${resourceToken})'
    description: permissions.quotaReader.description
    type: 'CustomRole'
    permissions: [
      {
        actions: permissions.quotaReader.actions
        notActions: permissions.quotaReader.notActions
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: [subscription().id]
  }
}

@description('Name (GUID) of the quota reader role definition.')
output quotaReaderRoleId string = quotaReader.name
