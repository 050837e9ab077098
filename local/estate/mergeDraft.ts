import type { DraftSection } from "../../shared/domain/estateDraft.js";
import type { Proposal } from "./proposeEstate.js";

type Json = Record<string, unknown>;

export interface Merged {
  readonly estate: Json;
  readonly draft: Proposal["draft"];
  /** What changed in Azure since the file was written, in plain sentences. */
  readonly changes: readonly string[];
}

/**
 * Discover run again against a file a person edited: their choices stay (tiers, checks, names, objectives,
 * everything Azure does not hold); what Azure holds is refreshed and each difference is reported; what is
 * new is added and marked for confirmation; what is gone from Azure is marked, never silently dropped.
 */
export function mergeDraft(existing: Json, fresh: Proposal): Merged {
  const changes: string[] = [];
  const estate: Json = structuredClone(existing);
  delete estate["$schema"];
  delete estate["draft"];
  const oldDraft = (isRecord(existing["draft"]) ? existing["draft"] : {}) as Partial<DraftSection>;
  const confirm: DraftSection["confirm"] = [...(oldDraft.confirm ?? [])];
  const ask = (path: string, why: string): void => {
    if (!confirm.some((c) => c.path === path)) confirm.push({ path, why });
  };

  const vaults = (isRecord(estate["vaults"]) ? estate["vaults"] : {}) as Record<string, Json>;
  const freshVaults = fresh.estate["vaults"] as Record<string, Json>;
  const keyMap = new Map<string, string>();
  for (const [freshKey, vault] of Object.entries(freshVaults)) {
    const key = Object.entries(vaults).find(([, v]) => same(v["resourceGroup"], vault["resourceGroup"]) && same(v["name"], vault["name"]))?.[0];
    if (!key) {
      vaults[freshKey] = vault;
      keyMap.set(freshKey, freshKey);
      changes.push(`new vault ${String(vault["name"])} (key '${freshKey}')`);
      ask(`vaults.${freshKey}`, "a vault discover had not seen before: check it");
      continue;
    }
    keyMap.set(freshKey, key);
    for (const field of ["region", "fabric", "protectionContainer", "testNetworkId"]) {
      if (vault[field] !== undefined && !same(vaults[key]?.[field], vault[field])) {
        changes.push(`vaults.${key}.${field}: ${JSON.stringify(vaults[key]?.[field])} -> ${JSON.stringify(vault[field])}`);
        (vaults[key] as Json)[field] = vault[field];
      }
    }
    // Recovery VNets: the ones the items target now are added; the ones a person named stay.
    const named = Array.isArray(vaults[key]?.["recoveryNetworkIds"]) ? (vaults[key]?.["recoveryNetworkIds"] as unknown[]) : [];
    const targeted = Array.isArray(vault["recoveryNetworkIds"]) ? (vault["recoveryNetworkIds"] as unknown[]) : [];
    const added = targeted.filter((id) => !named.some((n) => same(n, id)));
    if (added.length > 0) {
      (vaults[key] as Json)["recoveryNetworkIds"] = [...named, ...added];
      changes.push(`vaults.${key}.recoveryNetworkIds: + ${added.map(String).join(", ")}`);
    }
  }
  estate["vaults"] = vaults;

  const vms = (Array.isArray(estate["vms"]) ? estate["vms"] : []) as Json[];
  const freshVms = fresh.estate["vms"] as Json[];
  const readVaults = new Set(keyMap.values());
  const vmKey = (vm: Json, vaultKey: unknown): string => `${String(vaultKey)}|${String(vm["protectedItem"]).toLowerCase()}`;
  const existingByKey = new Map(vms.map((vm) => [vmKey(vm, vm["vault"]), vm]));
  const seen = new Set<string>();
  for (const vm of freshVms) {
    const vaultKey = keyMap.get(String(vm["vault"])) ?? String(vm["vault"]);
    const key = vmKey(vm, vaultKey);
    seen.add(key);
    const known = existingByKey.get(key);
    if (!known) {
      vms.push({ ...vm, vault: vaultKey });
      changes.push(`new protected item ${String(vm["protectedItem"])} (${String(vm["name"])}) in vault '${vaultKey}'`);
      ask(`vms[${vms.length - 1}]`, `a VM newly protected in vault '${vaultKey}': its tier '${String(vm["tier"])}' is a proposal`);
      continue;
    }
    for (const field of ["recoveryVmId", "recoveryIp", "onPremisesIp"]) {
      // ASR reports the on-premises address only on a forward (InMageRcm) item: a reprotected one keeps the person's.
      if (field === "onPremisesIp" && vm[field] === undefined) continue;
      if (!same(known[field], vm[field])) {
        changes.push(`${String(known["name"])}: ${field} ${String(known[field])} -> ${String(vm[field])}`);
        known[field] = vm[field];
      }
    }
  }
  vms.forEach((vm, i) => {
    if (readVaults.has(String(vm["vault"])) && !seen.has(vmKey(vm, vm["vault"]))) {
      changes.push(`${String(vm["name"])} is no longer protected in vault '${String(vm["vault"])}'`);
      ask(`vms[${i}]`, `'${String(vm["name"])}' is no longer a protected item of vault '${String(vm["vault"])}': delete it, or protect it again`);
    }
  });
  estate["vms"] = vms;

  mergeList(estate, fresh.estate, "dns", (r) => `${String(r["zoneType"])}|${String(r["zone"])}|${String(r["name"])}`.toLowerCase(), "record", changes, ask);
  mergeList(estate, fresh.estate, "routes", (r) => `${String(r["routeTable"])}|${String(r["route"])}`.toLowerCase(), "route", changes, ask);
  return { estate, draft: { incomplete: fresh.draft.incomplete, confirm, unmatchedRecords: fresh.draft.unmatchedRecords }, changes };
}

/** Entries of the person's list stay; a fresh entry not in it is added and marked. */
function mergeList(
  estate: Json,
  fresh: Json,
  field: "dns" | "routes",
  keyOf: (entry: Json) => string,
  noun: string,
  changes: string[],
  ask: (path: string, why: string) => void,
): void {
  const list = (Array.isArray(estate[field]) ? estate[field] : []) as Json[];
  const known = new Set(list.map(keyOf));
  for (const entry of fresh[field] as Json[]) {
    if (known.has(keyOf(entry))) continue;
    list.push(entry);
    changes.push(`new ${noun} ${keyOf(entry)}`);
    ask(`${field}[${list.length - 1}]`, `a ${noun} discover had not proposed before: check it`);
  }
  estate[field] = list;
}

function same(a: unknown, b: unknown): boolean {
  return typeof a === "string" && typeof b === "string" ? a.toLowerCase() === b.toLowerCase() : a === b;
}

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
