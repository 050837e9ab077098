import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { CliIo } from "../../local/estate/cli.js";
import { sampleEstateJson } from "../helpers.js";

type Json = Record<string, unknown>;

/** A fresh directory for one test's files. */
export function scratchDir(): string {
  return mkdtempSync(path.join(tmpdir(), "estate-"));
}

export function readJson(file: string): Json {
  return JSON.parse(readFileSync(file, "utf8")) as Json;
}

/** What the CLI printed, line by line. */
export function capturingIo(): CliIo & { readonly lines: string[]; readonly errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => void lines.push(l), err: (l) => void errors.push(l) };
}

/**
 * What a person does with the draft of the sample's Azure side: checks each proposal and fills in what
 * Azure does not hold, from what they know of their estate (here: the sample estate).
 */
export function confirmLikeAPerson(draft: Json): Json {
  const sample = sampleEstateJson() as {
    tiers: Json[];
    vaults: Record<string, Json & { reprotect: Json }>;
    dns: Json[];
    alerting: Json & { natVm: Json };
  } & Json;
  const estate = structuredClone(draft) as Json & {
    tiers: Json[];
    vms: Json[];
    dns: Json[];
    vaults: Record<string, Json & { reprotect?: Json }>;
    alerting: Json & { natVm: Json };
  };
  const unmatched = (estate["draft"] as { unmatchedRecords: Json[] }).unmatchedRecords;
  delete estate["draft"];
  // The recommendation engine's tier: a clearer name, and it needs the API tier (its plan is in another vault).
  const rename = (tier: unknown): unknown => (tier === "rec" ? "recommendation" : tier);
  for (const list of [estate.vms, estate.dns]) for (const entry of list) entry["tier"] = rename(entry["tier"]);
  for (const tier of estate.tiers) {
    tier["name"] = rename(tier["name"]);
    const known = sample.tiers.find((t) => t["name"] === tier["name"]);
    if (!known) throw new Error(`the person does not know tier ${String(tier["name"])}`);
    tier["dependsOn"] = known["dependsOn"];
    tier["guestChecks"] = known["guestChecks"];
    if (known["healthProbe"]) tier["healthProbe"] = known["healthProbe"];
  }
  // The public names point at a load balancer's address, which only the person knows.
  for (const record of unmatched) {
    const known = sample.dns.find((d) => d["zone"] === record["zone"] && d["name"] === record["name"] && d["zoneType"] === record["zoneType"]);
    if (known) estate.dns.push({ ...known });
  }
  for (const vault of Object.values(estate.vaults)) {
    const known = Object.values(sample.vaults).find((v) => v["name"] === vault["name"]);
    if (vault.reprotect && known) vault.reprotect = { ...known.reprotect };
  }
  for (const field of ["name", "targetDomainController", "database", "healthCheck"]) estate[field] = sample[field];
  // The names in the DCs' AD-integrated DNS are not in ARM, so discovery cannot draft them: the person adds them.
  if (sample["activeDirectoryDns"]) estate["activeDirectoryDns"] = sample["activeDirectoryDns"];
  estate.alerting = { ...sample.alerting };
  return estate;
}
