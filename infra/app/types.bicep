// Shapes of the parameters that point at the customer's existing resources.

@export()
@description('An existing resource named by its resource group (in the deployment subscription) and name.')
type resourceRef = {
  @description('Resource group holding the resource.')
  resourceGroup: string
  @description('Name of the resource.')
  name: string
}
