import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";

export interface RunningAzurite {
  /** Table service endpoint for the well-known development account. */
  readonly tableEndpoint: string;
  /** Endpoint of the service started (the table endpoint, or the blob endpoint for "blob"). */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Azurite's published development account (not a secret: it is the same for every Azurite). */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** Starts Azurite's Table (or Blob) service in memory, telemetry off, on a free loopback port. */
export async function startAzurite(service: "table" | "blob" = "table"): Promise<RunningAzurite> {
  const port = await freePort();
  const require = createRequire(import.meta.url);
  const main = path.join(path.dirname(require.resolve("azurite/package.json")), `dist/src/${service}/main.js`);
  const child = spawn(
    process.execPath,
    [main, `--${service}Host`, "127.0.0.1", `--${service}Port`, String(port), "--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck", "--silent"],
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
  return {
    tableEndpoint: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
    endpoint: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener("exit", killOnExit);
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill();
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
