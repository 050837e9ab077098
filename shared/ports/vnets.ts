/** The DNS servers a VNet's DHCP hands the VMs in it, in order; empty: Azure-provided DNS (168.63.129.16). */
export interface VnetDnsSettings {
  readonly id: string;
  readonly dnsServers: readonly string[];
}

/** Virtual networks the recovered VMs land in (read only). */
export interface VnetPort {
  /** undefined when the VNet does not exist. */
  getDnsSettings(vnetId: string, options?: { readonly signal?: AbortSignal }): Promise<VnetDnsSettings | undefined>;
}
