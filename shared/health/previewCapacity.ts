import type { Estate } from "../domain/estate.js";
import type { ProtectedItemSnapshot } from "../domain/health/healthSnapshot.js";
import { judgeRegionCapacity, quotaAdvice, type CapacityDemand, type RegionCapacityVerdict } from "../domain/health/targetCapacity.js";
import type { ComputeCapacityPort } from "../ports/computeCapacity.js";
import type { AsrInventoryPort } from "../ports/healthReads.js";

/** What a run preview reads to judge target capacity: the vaults' item lists (target sizes) and each target region's quotas. */
export interface CapacityReads {
  readonly asr: AsrInventoryPort;
  readonly compute: ComputeCapacityPort;
}

export interface PreviewCapacity extends RegionCapacityVerdict {
  /** What to request, when the quota falls short. */
  readonly request: readonly string[];
}

/**
 * Whether the VMs a run would create fit the target regions' vCPU quotas: one item list per vault
 * involved (ASR's targetVmSize per item) and one quota and SKU read per region. A read that fails
 * becomes an unknown verdict with its reason; the preview never fails for it.
 */
export async function previewCapacity(estate: Estate, vmNames: readonly string[], reads: CapacityReads): Promise<PreviewCapacity[]> {
  const vms = estate.vms.filter((vm) => vmNames.includes(vm.name));
  const vaultKeys = [...new Set(vms.map((vm) => vm.vault))];
  const items = new Map<string, readonly ProtectedItemSnapshot[]>();
  await Promise.all(
    vaultKeys.map(async (key) => {
      const vault = estate.vaults[key];
      if (vault) items.set(key, await reads.asr.listProtectedItems(vault).catch(() => []));
    }),
  );
  const demands: CapacityDemand[] = vms.flatMap((vm) => {
    const region = estate.vaults[vm.vault]?.region.toLowerCase();
    if (!region) return [];
    const item = items.get(vm.vault)?.find((i) => i.name.toLowerCase() === vm.protectedItem.toLowerCase());
    if (item?.activeLocation === "Recovery") return []; // already running in Azure
    return [{ vm: vm.name, region, size: item?.target.vmSize }];
  });
  const regions = [...new Set(demands.map((d) => d.region))].sort();
  return Promise.all(
    regions.map(async (region): Promise<PreviewCapacity> => {
      try {
        const verdict = judgeRegionCapacity(
          region,
          demands.filter((d) => d.region === region),
          await reads.compute.regionCapacity(region),
        );
        return { ...verdict, request: verdict.shortfalls.length > 0 ? quotaAdvice(verdict.shortfalls).steps.slice(0, -1) : [] };
      } catch (error) {
        return {
          region,
          status: "unknown",
          reason: `Could not check: ${error instanceof Error ? error.message : String(error)}.`,
          shortfalls: [],
          request: [],
        };
      }
    }),
  );
}
