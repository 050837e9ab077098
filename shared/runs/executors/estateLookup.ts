import type { Estate, Tier, Vault, Vm } from "../../domain/estate.js";
import type { ProtectedItemRef } from "../../ports/siteRecovery.js";

export function findVm(estate: Estate, name: string): Vm {
  const vm = estate.vms.find((v) => v.name === name);
  if (!vm) throw new Error(`VM '${name}' is not in estate '${estate.name}'`);
  return vm;
}

export function findTier(estate: Estate, name: string): Tier {
  const tier = estate.tiers.find((t) => t.name === name);
  if (!tier) throw new Error(`tier '${name}' is not in estate '${estate.name}'`);
  return tier;
}

export function findVault(estate: Estate, key: string): Vault {
  const vault = estate.vaults[key];
  if (!vault) throw new Error(`vault '${key}' is not in estate '${estate.name}'`);
  return vault;
}

export function protectedItemRef(estate: Estate, vmName: string): ProtectedItemRef {
  const vm = findVm(estate, vmName);
  return { vault: findVault(estate, vm.vault), protectedItem: vm.protectedItem };
}
