import type { ComputeManagementClient, ResourceSku } from "@azure/arm-compute";
import type { QuotaUsage, RegionCapacity, VmSizeInfo } from "../domain/health/healthSnapshot.js";
import type { ComputeCapacityPort } from "../ports/computeCapacity.js";
import { callAzure } from "./azureErrors.js";

/**
 * Compute reads for the capacity check: one Usage_List per region (its vCPU quotas, per family and
 * the regional total) and one ResourceSkus_List filtered by location (the only filter the API
 * supports), of which the virtualMachines SKUs give each size's family and vCPUs.
 */
export function createComputeCapacity({ client }: { client: ComputeManagementClient }): ComputeCapacityPort {
  return {
    regionCapacity: (region, options = {}) =>
      callAzure(`read vCPU quotas and VM sizes of ${region}`, async () => {
        const signal = options.signal ? { abortSignal: options.signal } : {};
        const usages: QuotaUsage[] = [];
        for await (const usage of client.usage.list(region, signal)) {
          if (!usage.name?.value) continue;
          usages.push({
            name: usage.name.value,
            localizedName: usage.name.localizedValue ?? usage.name.value,
            currentValue: usage.currentValue,
            limit: usage.limit,
          });
        }
        const sizes: Record<string, VmSizeInfo> = {};
        for await (const sku of client.resourceSkus.list({ filter: `location eq '${region}'`, ...signal })) {
          const info = sizeInfo(sku, region);
          if (info && sku.name) sizes[sku.name.toLowerCase()] = info;
        }
        return { usages, sizes } satisfies RegionCapacity;
      }),
  };
}

function sizeInfo(sku: ResourceSku, region: string): VmSizeInfo | undefined {
  if (sku.resourceType !== "virtualMachines" || !sku.family) return undefined;
  const vCpus = Number(sku.capabilities?.find((c) => c.name === "vCPUs")?.value);
  if (!Number.isFinite(vCpus)) return undefined;
  // A 'Location' restriction naming the region (reasonCode NotAvailableForSubscription) means no VM of this size can be created there.
  const restriction = (sku.restrictions ?? []).find(
    (r) => r.type === "Location" && (r.restrictionInfo?.locations ?? r.values ?? []).some((l) => l.toLowerCase() === region.toLowerCase()),
  );
  return { family: sku.family, vCpus, ...(restriction ? { restricted: restriction.reasonCode ?? "restricted" } : {}) };
}
