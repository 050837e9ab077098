import type { Estate } from "../estate.js";
import type { ItemLocation } from "./inventory.js";

export type Site = "primary" | "recovery" | "mixed" | "unknown";

/** Where the tier's VMs run now, by their items' activeLocation: where its names and routes should point. */
export function expectedSite(estate: Estate, tier: string, locations: ReadonlyMap<string, ItemLocation>): Site {
  const sites = new Set<string>();
  for (const vm of estate.vms.filter((v) => v.tier === tier)) {
    const at = locations.get(vm.name);
    if (at?.kind === "missing") continue; // not replicated at all: it runs on premises, and its own check is red
    if (!at || at.kind === "unread") return "unknown";
    sites.add(at.item.activeLocation === "Recovery" ? "recovery" : "primary");
  }
  return sites.size === 1 ? ([...sites][0] as Site) : sites.size === 0 ? "unknown" : "mixed";
}
