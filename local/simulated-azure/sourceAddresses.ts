import type { Estate, Vm } from "../../shared/domain/estate.js";

/**
 * On-premises (vSphere) addresses of the estate's VMs, which ASR reports as an InMageRcm item's
 * vmNics[].sourceIPAddress (recorded: asr-inmagercm-recorded-details.md, state A): the estate's
 * `onPremisesIp` where it names one, else the simulator's own: the NAT/firewall VM a route goes through
 * holds the on-premises firewall address that route starts on (192.168.100.4 onwards), every other VM
 * one address of 192.168.30.0/24 by its place in the estate. The record sets and routes the world seeds
 * point at these addresses, so what points at a VM on premises can be told from Azure's own answers.
 */
export const ON_PREMISES_FIREWALL_BLOCK = "192.168.100.";

export function sourceAddressOf(estate: Estate, vm: Vm): string {
  return addressesOf(estate).get(vm.name) ?? `192.168.30.9`;
}

/** Computed once per estate: item lists of large estates ask for every VM's address. */
const byEstate = new WeakMap<Estate, ReadonlyMap<string, string>>();

function addressesOf(estate: Estate): ReadonlyMap<string, string> {
  const known = byEstate.get(estate);
  if (known) return known;
  const addresses = new Map<string, string>();
  estate.vms.forEach((vm, index) => {
    const route = estate.routes.findIndex((r) => r.nextHopVm === vm.name);
    const own = route >= 0 ? `${ON_PREMISES_FIREWALL_BLOCK}${4 + (route % 250)}` : `192.168.${30 + Math.floor(index / 240)}.${10 + (index % 240)}`;
    addresses.set(vm.name, vm.onPremisesIp ?? own);
  });
  byEstate.set(estate, addresses);
  return addresses;
}

/** The on-premises address of the VM recovered at `recoveryIp`, if one is. */
export function sourceAddressOfRecoveryIp(estate: Estate, recoveryIp: string): string | undefined {
  const vm = estate.vms.find((v) => v.recoveryIp === recoveryIp);
  return vm ? sourceAddressOf(estate, vm) : undefined;
}
