import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createDiscoveryClients, discoverEstate, type DiscoveryClients } from "../../shared/adapters/estateDiscovery.js";
import type { DiscoveryRequest } from "../../shared/domain/discoveredEstate.js";
import type { DraftSection } from "../../shared/domain/estateDraft.js";
import type { Estate } from "../../shared/domain/estate.js";
import { systemClock, type Clock } from "../../shared/ports/clock.js";
import { createSimulatedAzure, type FaultPlan, type SimulatedAzure } from "../simulated-azure/simulatedAzure.js";
import { BUILT_IN_ROLES } from "../simulated-azure/rbacRoles.js";
import { SCHEMA_PATH } from "./estateJsonSchema.js";
import { mergeDraft } from "./mergeDraft.js";
import { proposeEstate } from "./proposeEstate.js";

export interface DiscoverResult {
  readonly file: string;
  readonly json: Record<string, unknown>;
  readonly draft: Pick<DraftSection, "incomplete" | "confirm" | "unmatchedRecords">;
  readonly changes: readonly string[];
  readonly vms: number;
}

/** Reads Azure, proposes a draft (or refreshes the file already at `out`, keeping a person's choices) and writes it. */
export async function discoverToFile(options: {
  readonly clients: DiscoveryClients;
  readonly request: DiscoveryRequest;
  readonly out: string;
  readonly name?: string;
  readonly clock?: Clock;
}): Promise<DiscoverResult> {
  const found = await discoverEstate(options.clients, options.request);
  const proposal = proposeEstate(found, options.name !== undefined ? { name: options.name } : {});
  const existing = await readJsonIfAny(options.out);
  const merged = existing ? mergeDraft(existing, proposal) : { estate: proposal.estate, draft: proposal.draft, changes: [] };
  const json = {
    $schema: schemaReference(options.out),
    ...merged.estate,
    draft: { discoveredAt: (options.clock ?? systemClock).now().toISOString(), ...merged.draft },
  };
  const temporary = `${options.out}.tmp`;
  await writeFile(temporary, `${JSON.stringify(json, null, 2)}\n`);
  await rename(temporary, options.out);
  const vms = merged.estate["vms"];
  return { file: options.out, json, draft: merged.draft, changes: merged.changes, vms: Array.isArray(vms) ? vms.length : 0 };
}

/** The schema as an editor finds it from the file: a relative path inside the repository, else the absolute one. */
function schemaReference(out: string): string {
  const schema = path.resolve(SCHEMA_PATH);
  if (path.relative(process.cwd(), path.resolve(out)).startsWith("..")) return pathToFileURL(schema).href;
  const relative = path
    .relative(path.dirname(path.resolve(out)), schema)
    .split(path.sep)
    .join("/");
  return relative.startsWith(".") ? relative : `./${relative}`;
}

async function readJsonIfAny(file: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return undefined;
  }
  const parsed = JSON.parse(text) as unknown;
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error(`${file}: not an estate file (a JSON object) to refresh`);
  return parsed as Record<string, unknown>;
}

/**
 * The simulated Azure seeded with `estate`, read as a person holding Reader on the subscription (all
 * discover needs). It counts every request: a test asserts that discover wrote nothing.
 */
export function simulatedDiscovery(
  estate: Estate,
  options: { readonly faults?: FaultPlan; readonly clock?: Clock; readonly readerRole?: boolean } = {},
): {
  readonly sim: SimulatedAzure;
  readonly clients: DiscoveryClients;
  readonly request: DiscoveryRequest;
} {
  const sim = createSimulatedAzure({
    estate,
    clock: options.clock ?? systemClock,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.readerRole === false ? {} : { roleAssignments: [{ role: BUILT_IN_ROLES.reader, scope: `/subscriptions/${estate.subscriptionId}` }] }),
  });
  const clients = createDiscoveryClients(sim.credential, estate.subscriptionId, { httpClient: sim.httpClient });
  return { sim, clients, request: requestFor(estate) };
}

/** Every vault and DNS zone an estate names: what a discover of its Azure side asks for. */
export function requestFor(estate: Estate): DiscoveryRequest {
  const zones = new Map(
    estate.dns.map((d) => [`${d.zoneType}|${d.resourceGroup}|${d.zone}`.toLowerCase(), { zoneType: d.zoneType, resourceGroup: d.resourceGroup, zone: d.zone }]),
  );
  return {
    subscriptionId: estate.subscriptionId,
    vaults: Object.values(estate.vaults).map((v) => ({ resourceGroup: v.resourceGroup, name: v.name })),
    dnsZones: [...zones.values()],
  };
}
