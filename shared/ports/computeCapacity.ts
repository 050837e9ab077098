import type { RegionCapacity } from "../domain/health/healthSnapshot.js";
import type { ReadOptions } from "./healthReads.js";

/** A region's vCPU quotas (Compute Usage_List) and the VM sizes it offers (Resource SKUs, filtered by location). Reads only. */
export interface ComputeCapacityPort {
  regionCapacity(region: string, options?: ReadOptions): Promise<RegionCapacity>;
}
