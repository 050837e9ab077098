import type { Estate, Vm } from "../estate.js";
import type { HealthSnapshot, ProtectedItemSnapshot } from "./healthSnapshot.js";

/** Where the health check found an estate VM's protected item. */
export type ItemLocation =
  | { readonly kind: "found"; readonly vaultKey: string; readonly item: ProtectedItemSnapshot }
  /** In another of the estate's vaults than the one the estate names. */
  | { readonly kind: "moved"; readonly vaultKey: string; readonly item: ProtectedItemSnapshot }
  /** In none of the estate's vaults (all of them were read). */
  | { readonly kind: "missing" }
  /** Not in the vaults that were read, and at least one vault could not be read. */
  | { readonly kind: "unread"; readonly reason: string };

const same = (a: string | undefined, b: string): boolean => a !== undefined && a.toLowerCase() === b.toLowerCase();

export function locateItem(estate: Estate, vm: Vm, snapshot: HealthSnapshot): ItemLocation {
  const own = snapshot.vaults[vm.vault]?.items;
  if (own?.ok) {
    const item = own.value.find((i) => same(i.name, vm.protectedItem));
    if (item) return { kind: "found", vaultKey: vm.vault, item };
  }
  const unreadable: string[] = own && !own.ok ? [`vault '${vm.vault}': ${own.reason}`] : [];
  for (const vaultKey of Object.keys(estate.vaults)) {
    if (vaultKey === vm.vault) continue;
    const items = snapshot.vaults[vaultKey]?.items;
    if (!items) continue;
    if (!items.ok) {
      unreadable.push(`vault '${vaultKey}': ${items.reason}`);
      continue;
    }
    const item = items.value.find((i) => same(i.name, vm.protectedItem) || same(i.friendlyName, vm.name));
    if (item) return { kind: "moved", vaultKey, item };
  }
  return unreadable.length > 0 ? { kind: "unread", reason: unreadable.join("; ") } : { kind: "missing" };
}

/** Items a vault holds that no estate VM claims: replicated, but a failover of the estate leaves them behind. */
export function unclaimedItems(estate: Estate, snapshot: HealthSnapshot): { vaultKey: string; item: ProtectedItemSnapshot }[] {
  const claimed = new Set<string>();
  for (const vm of estate.vms) {
    const at = locateItem(estate, vm, snapshot);
    if (at.kind === "found" || at.kind === "moved") claimed.add(at.item.id.toLowerCase());
  }
  const found: { vaultKey: string; item: ProtectedItemSnapshot }[] = [];
  for (const [vaultKey, vault] of Object.entries(snapshot.vaults)) {
    if (!vault.items.ok) continue;
    for (const item of vault.items.value) if (!claimed.has(item.id.toLowerCase())) found.push({ vaultKey, item });
  }
  return found;
}
