import { API_VERSIONS } from "./apiVersions.js";
import { reply, type Exchange, type SimReply } from "./http.js";
import type { RouteSpec } from "./router.js";
import type { World } from "./world.js";

const LOCATION_USAGES = "subscriptions/{subscriptionId}/providers/Microsoft.Compute/locations/{location}/usages";
const RESOURCE_SKUS = "subscriptions/{subscriptionId}/providers/Microsoft.Compute/skus";
/** @azure/arm-compute 24.1 sends ResourceSkus_List with 2021-07-01, the version of the spec examples (Skus/stable/2021-07-01). */
const SKU_API_VERSIONS = ["2021-07-01"] as const;

/**
 * The VM sizes the simulated world creates, with their family and vCPUs. The ASR items' targetVmSize
 * is Standard_D4s_v5 (asrPayloads.ts); Microsoft documents it as 4 vCPUs in the Dsv5 series, whose
 * quota family Usage_List names 'standardDSv5Family' ("Standard DSv5 Family vCPUs").
 */
export const SIMULATED_SIZES: Readonly<Record<string, { readonly family: string; readonly familyName: string; readonly vCpus: number }>> = {
  Standard_D4s_v5: { family: "standardDSv5Family", familyName: "Standard DSv5 Family vCPUs", vCpus: 4 },
  Standard_D2s_v5: { family: "standardDSv5Family", familyName: "Standard DSv5 Family vCPUs", vCpus: 2 },
};

/** Size every simulated VM runs as (recovered, test and target DC alike): what the items' targetVmSize says. */
const SIMULATED_VM_SIZE = "Standard_D4s_v5";

/**
 * Quota limits per region and usage name. Nothing is known of the customer's subscription: 100 vCPUs
 * per family and in total is an assumption, said so here; tests set their own with FaultPlan.vcpuQuota.
 */
const DEFAULT_LIMIT = 100;

export interface QuotaLimits {
  /** By region (lower case), by usage name ('cores', 'standardDSv5Family'). */
  readonly [region: string]: Readonly<Record<string, number>>;
}

/**
 * Compute's Usage_List and ResourceSkus_List for the regions the estate fails over to. The shapes
 * are the spec examples': Usage_List_MaximumSet_Gen.json (value[] of unit, currentValue, limit,
 * name.value/localizedValue; ComputeRP/stable/2024-07-01) and ListAvailableResourceSkusForARegion.json
 * (resourceType, locations, capabilities with vCPUs, locationInfo, name, tier, size, family;
 * Skus/stable/2021-07-01, filtered by `$filter=location eq '<region>'`, the only filter the API
 * supports). currentValue counts the VMs the simulated world holds in the region, so a failover or a
 * drill uses quota like in Azure, where allocated VMs count against it
 * (learn.microsoft.com/azure/virtual-machines/quotas).
 */
export function computeCapacityRoutes(world: World, limits: QuotaLimits = {}): RouteSpec[] {
  return [
    {
      method: "GET",
      pattern: LOCATION_USAGES,
      operation: "Usage_List",
      apiVersions: API_VERSIONS.compute,
      handle: (ex) => usages(world, limits, (ex.req.params["location"] ?? "").toLowerCase()),
    },
    { method: "GET", pattern: RESOURCE_SKUS, operation: "ResourceSkus_List", apiVersions: SKU_API_VERSIONS, handle: (ex) => skus(ex) },
  ];
}

function usages(world: World, limits: QuotaLimits, region: string): SimReply {
  const used = [...world.vms.values()].filter((vm) => vm.location.toLowerCase() === region).length * (SIMULATED_SIZES[SIMULATED_VM_SIZE]?.vCpus ?? 0);
  const limitOf = (name: string): number => limits[region]?.[name] ?? DEFAULT_LIMIT;
  const families = [...new Map(Object.values(SIMULATED_SIZES).map((s) => [s.family, s.familyName])).entries()];
  const row = (name: string, localizedValue: string, currentValue: number) => ({
    unit: "Count",
    currentValue,
    limit: limitOf(name),
    name: { value: name, localizedValue },
  });
  return reply(200, {
    value: [
      row("cores", "Total Regional vCPUs", used),
      ...families.map(([family, familyName]) => row(family, familyName, family === SIMULATED_SIZES[SIMULATED_VM_SIZE]?.family ? used : 0)),
    ],
  });
}

function skus(ex: Exchange): SimReply {
  const filter = ex.req.url.searchParams.get("$filter") ?? "";
  const match = /^location eq '([^']+)'$/i.exec(filter.trim());
  if (filter && !match) return ex.reject(400, "InvalidFilter", `The filter '${filter}' is not supported: only a location filter is.`);
  const location = (match?.[1] ?? "").toLowerCase();
  return reply(200, {
    value: Object.entries(SIMULATED_SIZES).map(([name, size]) => ({
      resourceType: "virtualMachines",
      locations: [location],
      capabilities: [
        { name: "vCPUs", value: String(size.vCpus) },
        { name: "MemoryGB", value: String(size.vCpus * 4) },
        { name: "vCPUsAvailable", value: String(size.vCpus) },
      ],
      locationInfo: [{ location, zones: ["1", "2", "3"] }],
      name,
      tier: "Standard",
      size: name.replace(/^Standard_/, ""),
      family: size.family,
      restrictions: [],
    })),
    nextLink: null,
  });
}
