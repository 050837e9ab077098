import { parseEstate, type Estate } from "../../shared/domain/estate.js";

/**
 * An estate shaped like the sample (same tiers, vaults, checks, DNS and routes) scaled to `vmCount`
 * VMs, split across tiers in the sample's proportions.
 */
export function syntheticEstate(sample: Estate, vmCount: number): Estate {
  const perTier = new Map(sample.tiers.map((t) => [t.name, sample.vms.filter((vm) => vm.tier === t.name)]));
  const vms = sample.tiers.flatMap((tier, tierIndex) => {
    const template = perTier.get(tier.name)?.[0];
    if (!template) return [];
    const share = (perTier.get(tier.name)?.length ?? 0) / sample.vms.length;
    const count = tierIndex === sample.tiers.length - 1 ? 0 : Math.max(1, Math.round(vmCount * share));
    return Array.from({ length: count }, (_, i) => ({ template, i, tierIndex }));
  });
  // The last tier takes whatever rounding left over, so the total is exact.
  const last = sample.tiers.at(-1);
  const lastTemplate = last ? perTier.get(last.name)?.[0] : undefined;
  if (lastTemplate) for (let i = 0; vms.length < vmCount; i++) vms.push({ template: lastTemplate, i, tierIndex: sample.tiers.length - 1 });
  const nameOf = (tier: string, i: number): string => `${tier.slice(0, 3).toUpperCase()}${String(i + 1).padStart(4, "0")}`;
  const natTier = sample.vms.find((vm) => vm.name === sample.alerting.natVm.vm)?.tier ?? "";
  return parseEstate({
    ...sample,
    name: `${sample.name}-x${vmCount}`,
    // The first VM of the NAT's tier plays the NAT/firewall VM.
    alerting: { ...sample.alerting, natVm: { ...sample.alerting.natVm, vm: nameOf(natTier, 0) } },
    // The drill's DC is the first of the scaled identity tier's DCs.
    drill: { ...sample.drill, ...(sample.drill.domainController ? { domainController: nameOf(findTierOf(sample, sample.drill.domainController), 0) } : {}) },
    // Routes go through the first VM of their tier, as that VM's NIC is the next hop.
    routes: sample.routes.map((route) => ({ ...route, nextHopVm: nameOf(route.tier, 0) })),
    vms: vms.map(({ template, i, tierIndex }) => {
      const name = nameOf(template.tier, i);
      return {
        ...template,
        name,
        protectedItem: `${name.toLowerCase()}-vsphere`,
        recoveryVmId: template.recoveryVmId.replace(/[^/]+$/, name),
        recoveryIp: `10.${100 + tierIndex}.${Math.floor(i / 250)}.${(i % 250) + 4}`,
        // On vSphere too, each VM has an address of its own (the failback probes it there).
        ...(template.onPremisesIp === undefined ? {} : { onPremisesIp: `172.${16 + tierIndex}.${Math.floor(i / 250)}.${(i % 250) + 4}` }),
      };
    }),
  });
}

function findTierOf(sample: Estate, vmName: string): string {
  return sample.vms.find((vm) => vm.name === vmName)?.tier ?? "";
}
