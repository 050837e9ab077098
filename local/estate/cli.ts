import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createDiscoveryClients, type DiscoveryClients } from "../../shared/adapters/estateDiscovery.js";
import { loadEstateFile } from "../../shared/config/loadEstateFile.js";
import type { DiscoveryRequest } from "../../shared/domain/discoveredEstate.js";
import { EstateConfigError } from "../../shared/domain/estate.js";
import type { FailoverRequest, Scope } from "../../shared/domain/plan.js";
import { describePlan } from "./describePlan.js";
import { discoverToFile, requestFor, simulatedDiscovery } from "./discoverCommand.js";
import { estateJsonSchemaText, SCHEMA_PATH } from "./estateJsonSchema.js";
import { estateReferenceMarkdown, REFERENCE_PATH } from "./estateReference.js";
import { validateEstateFile } from "./validateFile.js";

/** Where the command writes: a test passes its own. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** The real Azure's clients for `discover` (DefaultAzureCredential); a test never reaches it. */
  azureClients?(subscriptionId: string): Promise<DiscoveryClients>;
}

/** A wrong command line: printed with the command's usage, exit 2. */
class UsageError extends Error {}

interface Command {
  readonly summary: string;
  readonly usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  discover: {
    summary: "read the vaults (reads only) and write a draft estate file, or refresh one",
    usage: `Usage: npm run estate -- discover --out <file> (--simulated | --subscription <id> --vault <rg>/<name>...) [--dns-zone public|private:<rg>/<zone>...] [--name <estate>]
  --out <file>         the draft to write; if it exists, it is refreshed: your choices stay, changes in Azure are listed
  --subscription <id>  the subscription of the vaults, zones and route tables (DefaultAzureCredential signs in: az login)
  --vault <rg>/<name>  a Recovery Services vault protecting the vSphere VMs (repeat for each)
  --dns-zone <z>       a DNS zone whose A records may point at the VMs, e.g. private:rg-dns/corp.contoso.internal (repeat)
  --name <estate>      the estate's name (default my-estate)
  --simulated          read the simulated Azure seeded with --estate (default estate/sample-estate.json) instead
Nothing is written to Azure. Exit 0: draft written; 1: written, but some of Azure could not be read (listed).`,
    run: discover,
  },
  validate: {
    summary: "list every problem of an estate file, each with its JSON path",
    usage: `Usage: npm run estate -- validate <file>
Checks JSON, shape, draft entries to confirm, references and what the estate means (routes through the NAT,
DC checks on DCs, tier dependencies, objectives that can be met) in one pass. Exit 0: valid; 1: problems listed.`,
    run: validate,
  },
  plan: {
    summary: "show the failover the planner builds for an estate file, with an RTO estimate",
    usage: `Usage: npm run estate -- plan <file> [--mode unplanned|test] [--tiers a,b | --vms X,Y]
Prints tiers in order, their steps, gates, DNS and route changes and the RTO estimate from typical ASR job
durations. Nothing is sent to Azure. Exit 1 if the file does not validate.`,
    run: plan,
  },
  schema: {
    summary: `write ${SCHEMA_PATH} and ${REFERENCE_PATH} from the estate schema`,
    usage: `Usage: npm run estate -- schema [--check]
Writes the estate file's JSON Schema (${SCHEMA_PATH}, referenced by "$schema" in estate files) and its reference
page (${REFERENCE_PATH}), both generated from the descriptions in shared/domain/estate.ts.
  --check   write nothing; exit 1 if either file is not current`,
    run: schema,
  },
};

const USAGE = `Usage: npm run estate -- <command> [options]   (--help after a command for its options)
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`)
  .join("\n")}`;

/** Runs one command line; returns the exit code (0 done, 1 problems found, 2 a wrong command line). */
export async function runEstateCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h") {
    io.out(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`Unknown command '${name}'.`);
    io.err(USAGE);
    return 2;
  }
  if (args.includes("--help") || args.includes("-h")) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.err(error instanceof Error ? error.message : String(error));
      io.err(command.usage);
      return 2;
    }
    throw error;
  }
}

async function discover(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      out: { type: "string" },
      subscription: { type: "string" },
      vault: { type: "string", multiple: true },
      "dns-zone": { type: "string", multiple: true },
      name: { type: "string" },
      simulated: { type: "boolean", default: false },
      estate: { type: "string", default: "estate/sample-estate.json" },
    },
  });
  if (!values.out) throw new UsageError("--out: the file to write is required");
  let clients: DiscoveryClients;
  let request: DiscoveryRequest;
  if (values.simulated) {
    const seeded = simulatedDiscovery(await loadEstateFile(values.estate));
    clients = seeded.clients;
    const asked = requestFrom(seeded.request.subscriptionId, values.vault, values["dns-zone"]);
    request = asked.vaults.length > 0 ? asked : requestFor(await loadEstateFile(values.estate));
  } else {
    if (!values.subscription) throw new UsageError("--subscription: the subscription id is required (or --simulated)");
    request = requestFrom(values.subscription, values.vault, values["dns-zone"]);
    if (request.vaults.length === 0) throw new UsageError("--vault: name at least one vault as <resource group>/<name>");
    if (!io.azureClients) throw new UsageError("discover against Azure is not available here");
    clients = await io.azureClients(values.subscription);
  }
  const result = await discoverToFile({ clients, request, out: values.out, ...(values.name !== undefined ? { name: values.name } : {}) });
  io.out(`Wrote ${result.file}: ${result.vms} VMs from ${request.vaults.length} vault(s).`);
  for (const change of result.changes) io.out(`  changed in Azure: ${change}`);
  if (result.draft.unmatchedRecords.length > 0) {
    io.out(
      `  ${result.draft.unmatchedRecords.length} A record set(s) point at no protected VM (draft.unmatchedRecords): move those a failover flips into dns.`,
    );
  }
  io.out(`  ${result.draft.confirm.length} proposed value(s) to confirm (draft.confirm), then: npm run estate -- validate ${result.file}`);
  for (const problem of result.draft.incomplete) io.err(`  INCOMPLETE ${problem.where}: ${problem.problem}`);
  return result.draft.incomplete.length > 0 ? 1 : 0;
}

function requestFrom(subscriptionId: string, vaults: readonly string[] = [], zones: readonly string[] = []): DiscoveryRequest {
  return {
    subscriptionId,
    vaults: vaults.map((v) => {
      const [resourceGroup, name, ...rest] = v.split("/");
      if (!resourceGroup || !name || rest.length > 0) throw new UsageError(`--vault: '${v}' is not <resource group>/<vault name>`);
      return { resourceGroup, name };
    }),
    dnsZones: zones.map((z) => {
      const match = /^(public|private):([^/]+)\/(.+)$/.exec(z);
      if (!match?.[1] || !match[2] || !match[3]) throw new UsageError(`--dns-zone: '${z}' is not public:<rg>/<zone> or private:<rg>/<zone>`);
      return { zoneType: match[1] as "public" | "private", resourceGroup: match[2], zone: match[3] };
    }),
  };
}

async function validate(args: string[], io: CliIo): Promise<number> {
  const file = onlyFile(parseArgs({ args, strict: true, allowPositionals: true, options: {} }).positionals);
  const { estate, problems } = await validateEstateFile(file);
  if (problems.length > 0) {
    io.err(`${file}: ${problems.length} problem(s)`);
    for (const p of problems) io.err(`  - ${p}`);
    return 1;
  }
  io.out(`${file} is valid: ${estate?.vms.length ?? 0} VMs in ${estate?.tiers.length ?? 0} tiers, ${Object.keys(estate?.vaults ?? {}).length} vault(s).`);
  return 0;
}

async function plan(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { mode: { type: "string", default: "unplanned" }, tiers: { type: "string" }, vms: { type: "string" } },
  });
  const file = onlyFile(positionals);
  if (values.mode !== "unplanned" && values.mode !== "test") throw new UsageError(`--mode: '${values.mode}' is not unplanned or test`);
  if (values.tiers !== undefined && values.vms !== undefined) throw new UsageError("--tiers and --vms: give one scope");
  const scope: Scope =
    values.tiers !== undefined
      ? { kind: "tiers", tiers: list(values.tiers) }
      : values.vms !== undefined
        ? { kind: "vms", vms: list(values.vms) }
        : { kind: "all" };
  let estate;
  try {
    estate = await loadEstateFile(file);
  } catch (error) {
    if (!(error instanceof EstateConfigError)) throw error;
    io.err(`${file} does not validate (npm run estate -- validate ${file}):`);
    for (const p of error.problems) io.err(`  - ${p}`);
    return 1;
  }
  const request: FailoverRequest = { mode: values.mode, scope };
  try {
    for (const line of describePlan(estate, request).lines) io.out(line);
  } catch (error) {
    if (error instanceof Error && error.name === "PlanError") throw new UsageError(error.message);
    throw error;
  }
  return 0;
}

async function schema(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, strict: true, allowPositionals: false, options: { check: { type: "boolean", default: false } } });
  const files = [
    { path: SCHEMA_PATH, text: estateJsonSchemaText() },
    { path: REFERENCE_PATH, text: await estateReferenceMarkdown() },
  ];
  if (values.check) {
    const stale: string[] = [];
    for (const f of files) if ((await readFile(f.path, "utf8").catch(() => "")) !== f.text) stale.push(f.path);
    for (const s of stale) io.err(`${s} is not current: run npm run estate -- schema`);
    return stale.length > 0 ? 1 : 0;
  }
  for (const f of files) {
    await writeFile(f.path, f.text);
    io.out(`Wrote ${f.path}`);
  }
  return 0;
}

function onlyFile(positionals: readonly string[]): string {
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError("name one estate file");
  return positionals[0];
}

function list(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}

export { createDiscoveryClients };
