import { recoveryNetworkIdsOf, type Estate } from "../estate.js";
import { estateCheck } from "./estateCheck.js";
import type { Advice, HealthCheck } from "./healthReport.js";
import type { HealthSnapshot } from "./healthSnapshot.js";
import type { ItemLocation } from "./inventory.js";

const READER_REFERENCE = "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/general#reader";

/**
 * A VNet the protected items fail over into that no vault names in `recoveryNetworkIds`. The app reads
 * only the VNets the estate names, the ones infra grants it Reader on, so this VNet's DNS servers go
 * unchecked. The vault's test network is left to the VM rules, which already report an item targeting
 * it. No check when the VNet reads are not wired, like the VNet DNS checks beside it.
 */
export function unnamedRecoveryVnetChecks(estate: Estate, snapshot: HealthSnapshot, locations: ReadonlyMap<string, ItemLocation>): HealthCheck[] {
  if (!snapshot.vnets) return [];
  const named = new Set(recoveryNetworkIdsOf(estate));
  const unnamed = new Map<string, { id: string; vaultKeys: Set<string>; vms: string[] }>();
  for (const vm of estate.vms) {
    const at = locations.get(vm.name);
    if (at?.kind !== "found" && at?.kind !== "moved") continue;
    const id = at.item.target.networkId;
    const key = id?.toLowerCase();
    if (!id || !key || named.has(key) || key === estate.vaults[at.vaultKey]?.testNetworkId.toLowerCase()) continue;
    const entry = unnamed.get(key) ?? { id, vaultKeys: new Set<string>(), vms: [] };
    entry.vaultKeys.add(at.vaultKey);
    entry.vms.push(vm.name);
    unnamed.set(key, entry);
  }
  return [...unnamed.values()].map(({ id, vaultKeys, vms }) => {
    const name = id.split("/").pop() ?? id;
    const fields = [...vaultKeys].map((key) => `vaults.${key}.recoveryNetworkIds`).join(" / ");
    return estateCheck(
      "vnetDns",
      name,
      name,
      `VNet ${name} hands out a DNS server that is up`,
      "amber",
      `ASR fails ${vms.join(", ")} over into ${name} (${id}), which the estate does not name in ${fields}: its DNS servers are not checked, since the app may read only the VNets the estate names.`,
      [nameVnetAdvice(id, fields)],
    );
  });
}

function nameVnetAdvice(id: string, fields: string): Advice {
  const [, , , , resourceGroup = "<resource group>", , , , name = "<name>"] = id.split("/");
  return {
    id: "recovery-vnet-not-named",
    title: "Name the recovery VNet in the estate and let the app read it",
    steps: [
      `Add '${id}' to ${fields} in the estate file (\`npm run estate -- validate\` checks it).`,
      `Add { "resourceGroup": "${resourceGroup}", "name": "${name}" } to infra's recoveryVirtualNetworks parameter (infra/main.parameters.json) and run \`azd provision\`: it grants the app's identity Reader on that VNet, which reading its DNS servers needs.`,
      "If the VMs should not land in this VNet, change their target network in the vault instead (the replicated item's Compute and Network settings).",
    ],
    reference: READER_REFERENCE,
  };
}
