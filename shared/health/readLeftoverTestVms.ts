import type { Estate } from "../domain/estate.js";
import type { ProtectedItemSnapshot } from "../domain/health/healthSnapshot.js";
import { findLeftoverTestVms, type LeftoverTestVm } from "../domain/health/leftoverTestVms.js";
import type { AsrInventoryPort } from "../ports/healthReads.js";

/** The test failovers ASR holds now, read live (one item list per vault): a scheduled drill checks them before it starts. Throws when a vault cannot be read. */
export async function readLeftoverTestVms(estate: Estate, asr: AsrInventoryPort): Promise<LeftoverTestVm[]> {
  const lists = await Promise.all(
    Object.entries(estate.vaults).map(async ([key, vault]): Promise<[string, readonly ProtectedItemSnapshot[]]> => [key, await asr.listProtectedItems(vault)]),
  );
  return findLeftoverTestVms(Object.fromEntries(lists));
}
