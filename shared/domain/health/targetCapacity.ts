import type { Estate } from "../estate.js";
import { worst, type Advice, type CheckStatus, type HealthCheck } from "./healthReport.js";
import type { HealthSnapshot, QuotaUsage, RegionCapacity } from "./healthSnapshot.js";
import type { ItemLocation } from "./inventory.js";

/** One VM a failover would create in a target region, with the size ASR will give it (targetVmSize). */
export interface CapacityDemand {
  readonly vm: string;
  readonly region: string;
  readonly size: string | undefined;
}

/** A quota a failover would exceed, and the limit to ask for. */
export interface QuotaShortfall {
  readonly region: string;
  /** name.value of the usage ('standardDSv5Family', 'cores'). */
  readonly quota: string;
  readonly localizedName: string;
  readonly limit: number;
  readonly currentValue: number;
  readonly needed: number;
  /** The smallest limit that lets the whole failover start: currentValue + needed. */
  readonly requestLimit: number;
}

export interface RegionCapacityVerdict {
  readonly region: string;
  readonly status: CheckStatus;
  readonly reason: string;
  readonly shortfalls: readonly QuotaShortfall[];
}

/** The regional total, as Compute's Usage_List names it (docs: "Total Regional vCPUs"). */
export const TOTAL_VCPU_QUOTA = "cores";

/**
 * Whether a region's vCPU quota fits the VMs a failover would create there. Azure checks two tiers
 * for every VM it creates, the VM family's vCPUs and the region's total vCPUs, both against
 * limit - currentValue (learn.microsoft.com/azure/virtual-machines/quotas). Pure.
 */
export function judgeRegionCapacity(region: string, demands: readonly CapacityDemand[], capacity: RegionCapacity): RegionCapacityVerdict {
  const problems: string[] = [];
  const statuses: CheckStatus[] = ["green"];
  const byFamily = new Map<string, number>();
  let total = 0;
  const unsized = demands.filter((d) => !d.size).map((d) => d.vm);
  if (unsized.length > 0) {
    statuses.push("unknown");
    problems.push(`no target size known for ${unsized.join(", ")}`);
  }
  for (const demand of demands) {
    if (!demand.size) continue;
    const sku = capacity.sizes[demand.size.toLowerCase()];
    if (!sku) {
      statuses.push("red");
      problems.push(`${demand.vm}'s size ${demand.size} is not offered in ${region}`);
      continue;
    }
    if (sku.restricted) {
      statuses.push("red");
      problems.push(`${demand.vm}'s size ${demand.size} is restricted for this subscription in ${region} (${sku.restricted})`);
      continue;
    }
    byFamily.set(sku.family, (byFamily.get(sku.family) ?? 0) + sku.vCpus);
    total += sku.vCpus;
  }
  const usageOf = (name: string): QuotaUsage | undefined => capacity.usages.find((u) => u.name.toLowerCase() === name.toLowerCase());
  const shortfalls: QuotaShortfall[] = [];
  const fits: string[] = [];
  const compare = (quota: string, needed: number): void => {
    if (needed === 0) return;
    const usage = usageOf(quota);
    if (!usage) {
      statuses.push("unknown");
      problems.push(`Compute reports no usage '${quota}' in ${region}`);
      return;
    }
    const free = usage.limit - usage.currentValue;
    if (needed > free) {
      statuses.push("red");
      shortfalls.push({
        region,
        quota: usage.name,
        localizedName: usage.localizedName,
        limit: usage.limit,
        currentValue: usage.currentValue,
        needed,
        requestLimit: usage.currentValue + needed,
      });
    } else {
      fits.push(`${usage.localizedName || usage.name} ${needed} of ${free} free`);
    }
  };
  for (const [family, needed] of [...byFamily.entries()].sort(([a], [b]) => a.localeCompare(b))) compare(family, needed);
  compare(TOTAL_VCPU_QUOTA, total);
  for (const s of shortfalls)
    problems.push(
      `${s.localizedName || s.quota}: a failover needs ${s.needed} vCPUs, ${s.limit - s.currentValue} are free (${s.currentValue} used of ${s.limit})`,
    );
  const sized = demands.length - unsized.length;
  const head = `${sized} VM(s) would fail over to ${region} with ${total} vCPUs`;
  const reason = [head, ...(fits.length > 0 ? [`fits: ${fits.join(", ")}`] : []), ...problems].join("; ");
  return { region, status: worst(statuses), reason: `${reason}.`, shortfalls };
}

/** The VMs a failover of the estate would create, by target region: those not already running in Azure. */
export function capacityDemands(estate: Estate, locations: ReadonlyMap<string, ItemLocation>): CapacityDemand[] {
  return estate.vms.flatMap((vm) => {
    const at = locations.get(vm.name);
    const region = estate.vaults[vm.vault]?.region;
    if (!region || !at || (at.kind !== "found" && at.kind !== "moved")) return [];
    if (at.item.activeLocation === "Recovery") return []; // its VM already runs there and counts in currentValue
    return [{ vm: vm.name, region: region.toLowerCase(), size: at.item.target.vmSize }];
  });
}

export function quotaAdvice(shortfalls: readonly QuotaShortfall[]): Advice {
  return {
    id: "vcpu-quota",
    title: "Request the vCPU quota a failover needs",
    steps: [
      ...shortfalls.map(
        (s) =>
          `In ${s.region}, raise '${s.localizedName || s.quota}' from ${s.limit} to at least ${s.requestLimit} (portal: Quotas > Compute, or a support request 'Service and subscription limits (quotas)').`,
      ),
      "A test failover creates the same VMs and needs the same quota; ASR's failover job fails for every VM that does not fit.",
    ],
    reference: "https://learn.microsoft.com/azure/quotas/per-vm-quota-requests",
  };
}

/** Per target region of the estate, whether its vCPU quota fits a full failover (nightly check). */
export function capacityChecks(estate: Estate, snapshot: HealthSnapshot, locations: ReadonlyMap<string, ItemLocation>): HealthCheck[] {
  const read = snapshot.capacity;
  if (!read) return [];
  const demands = capacityDemands(estate, locations);
  const regions = [...new Set(Object.values(estate.vaults).map((v) => v.region.toLowerCase()))].sort();
  return regions.map((region): HealthCheck => {
    const base = { id: `estate/capacity/${region}`, kind: "capacity" as const, subject: region, title: `vCPU quota in ${region} for a full failover` };
    const capacity = read[region];
    if (!capacity) return { ...base, status: "unknown", reason: "Not read.", advice: [] };
    if (!capacity.ok) return { ...base, status: "unknown", reason: `Could not check: ${capacity.reason}.`, advice: [] };
    const verdict = judgeRegionCapacity(
      region,
      demands.filter((d) => d.region === region),
      capacity.value,
    );
    return { ...base, status: verdict.status, reason: verdict.reason, advice: verdict.shortfalls.length > 0 ? [quotaAdvice(verdict.shortfalls)] : [] };
  });
}
