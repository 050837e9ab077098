import type { Estate } from "../domain/estate.js";

/**
 * The estate's tiers in dependency order (a tier after every tier it depends on), keeping the
 * estate file's order among tiers that are free to go in any order. The estate is validated to be
 * acyclic; a cycle would still end, with the remaining tiers in file order.
 */
export function tiersInDependencyOrder(estate: Pick<Estate, "tiers">): string[] {
  const placed: string[] = [];
  const remaining = [...estate.tiers];
  while (remaining.length > 0) {
    const index = remaining.findIndex((tier) => tier.dependsOn.every((dep) => placed.includes(dep)));
    const [next] = remaining.splice(Math.max(0, index), 1);
    if (next) placed.push(next.name);
  }
  return placed;
}
