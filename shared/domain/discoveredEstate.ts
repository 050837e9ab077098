/** What `estate discover` read from Azure, as plain data: the proposal of a draft estate works from this alone. */

export interface DiscoveredNic {
  readonly primary: boolean;
  /** The vSphere NIC's address (vmNics[].sourceIPAddress). */
  readonly sourceIp?: string;
  /** The static address the recovered NIC gets (vmNics[].targetIPAddress). */
  readonly targetIp?: string;
}

export interface DiscoveredItem {
  /** ARM name of the protected item. */
  readonly name: string;
  readonly friendlyName: string;
  readonly os?: "windows" | "linux";
  readonly targetVmName?: string;
  readonly targetResourceGroupId?: string;
  readonly targetLocation?: string;
  readonly testNetworkId?: string;
  /** The VNet the item fails over into (InMageRcm targetNetworkId). */
  readonly targetNetworkId?: string;
  readonly policyId?: string;
  readonly nics: readonly DiscoveredNic[];
}

export interface DiscoveredPolicy {
  readonly id: string;
  readonly name: string;
  readonly provider: string;
  readonly retentionMinutes?: number;
  readonly appConsistentFrequencyMinutes?: number;
}

export interface DiscoveredRecoveryPlan {
  readonly name: string;
  /** Boot groups in order, each the lower-cased names of its protected items. */
  readonly bootGroups: readonly (readonly string[])[];
}

export interface DiscoveredReprotectAgent {
  readonly id: string;
  readonly name: string;
  readonly datastores: readonly string[];
}

export interface DiscoveredVault {
  readonly resourceGroup: string;
  readonly name: string;
  readonly region?: string;
  readonly fabric?: string;
  readonly container?: string;
  readonly reprotectAgents: readonly DiscoveredReprotectAgent[];
  readonly items: readonly DiscoveredItem[];
  readonly policies: readonly DiscoveredPolicy[];
  readonly recoveryPlans: readonly DiscoveredRecoveryPlan[];
}

export interface DiscoveredRecordSet {
  readonly zoneType: "public" | "private";
  readonly resourceGroup: string;
  readonly zone: string;
  readonly name: string;
  readonly addresses: readonly string[];
  readonly ttl: number;
}

export interface DiscoveredRoute {
  readonly resourceGroup: string;
  readonly routeTable: string;
  readonly route: string;
  readonly addressPrefix: string;
  readonly nextHopType: string;
  readonly nextHopIp?: string;
}

/** Something discover could not read, and what a person does about it. */
export interface DiscoveryProblem {
  readonly where: string;
  readonly problem: string;
}

export interface DiscoveredEstate {
  readonly subscriptionId: string;
  readonly vaults: readonly DiscoveredVault[];
  readonly recordSets: readonly DiscoveredRecordSet[];
  /** Undefined when the route tables could not be listed. */
  readonly routes: readonly DiscoveredRoute[] | undefined;
  readonly problems: readonly DiscoveryProblem[];
}

export interface DiscoveryRequest {
  readonly subscriptionId: string;
  readonly vaults: readonly { readonly resourceGroup: string; readonly name: string }[];
  readonly dnsZones: readonly { readonly zoneType: "public" | "private"; readonly resourceGroup: string; readonly zone: string }[];
}
