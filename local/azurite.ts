import { AzureNamedKeyCredential, type TableServiceClientOptions } from "@azure/data-tables";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";
import type { StateTablesOptions } from "../shared/adapters/stateTables.js";

export interface RunningAzurite {
  /** Table service endpoint for the well-known development account. */
  readonly tableEndpoint: string;
  /** Endpoint of the service started (the table endpoint, or the blob endpoint for "blob"). */
  readonly endpoint: string;
  /** The loopback port it listens on (pass it back to start again at the same endpoint). */
  readonly port: number;
  /** Stops it; with a `location`, Azurite saves its data there first. */
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  /** Keep the data in this directory (Azurite's --location) instead of in memory, so a restart finds it. */
  readonly location?: string;
  /** Listen on this port instead of a free one (to restart at the same endpoint). */
  readonly port?: number;
}

/** Azurite's published development account (not a secret: it is the same for every Azurite). */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** The state tables' options for Azurite: its development account over plain HTTP, under a prefix. */
export function azuriteTables(endpoint: string, tablePrefix?: string, clientOptions: TableServiceClientOptions = {}): StateTablesOptions {
  return {
    endpoint,
    credential: new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    clientOptions: { allowInsecureConnection: true, ...clientOptions },
    ...(tablePrefix !== undefined ? { tablePrefix } : {}),
  };
}

/** How long a stop waits for Azurite to save and exit before killing it. */
const STOP_GRACE_MS = 10_000;

/** Starts Azurite's Table (or Blob) service, telemetry off, on a loopback port: in memory unless `location` is given. */
export async function startAzurite(service: "table" | "blob" = "table", options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const port = options.port ?? (await freePort());
  const require = createRequire(import.meta.url);
  const main = path.join(path.dirname(require.resolve("azurite/package.json")), `dist/src/${service}/main.js`);
  const persistence = options.location === undefined ? ["--inMemoryPersistence"] : ["--location", options.location];
  const child = spawn(
    process.execPath,
    [main, `--${service}Host`, "127.0.0.1", `--${service}Port`, String(port), ...persistence, "--disableTelemetry", "--skipApiVersionCheck", "--silent"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Azurite did not start within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (/successfully (listen|start)/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with code ${code}:\n${output}`));
    });
  });
  // Azurite never outlives the process that started it, even one that exits without stopping it.
  const killOnExit = (): void => void child.kill();
  process.once("exit", killOnExit);
  const endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  return {
    tableEndpoint: endpoint,
    endpoint,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener("exit", killOnExit);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        // SIGINT is Azurite's graceful close (its main.js): the server closes and the data on disk is saved.
        const hardStop = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
        child.once("exit", () => {
          clearTimeout(hardStop);
          resolve();
        });
        child.kill("SIGINT");
      }),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
