import path from "node:path";
import type { DevIdentity, DevIdentityKeys } from "../devIdentity.js";
import type { SimulatedAzure } from "../simulated-azure/simulatedAzure.js";
import type { WorldSnapshot } from "../simulated-azure/worldSnapshot.js";
import { readJsonFile, throttledSaver, writeFileAtomic } from "./atomicFile.js";

/**
 * How often simulated Azure is saved while the sandbox runs. What a hard kill (kill -9, power loss)
 * can lose, since the three stores are saved apart and not together:
 * - the last second of simulated-Azure changes: a job started in it is unknown to Azure after the
 *   restart while the run's tables may name it, and the step following it is answered NotFound;
 * - the last QUEUE_SAVE_INTERVAL_MS of queue changes: a message sent in it is gone, one settled in it
 *   comes back (a redelivery, which the engine meets as any other: by its step's seq and journal);
 * - the last 5 s of Table Storage writes (Azurite saves its LokiJS files every 5 s: autosaveInterval in
 *   its LokiTableMetadataStore): a step may redo an ARM call simulated Azure already carried out, which
 *   it answers as Azure would (a second failover of an item is refused with 409).
 * The Azurite child also outlives a kill -9 of the sandbox until it is ended by hand.
 * Ctrl+C (SIGINT) or SIGTERM loses nothing: everything is saved once the last handler has settled.
 */
export const AZURE_SAVE_INTERVAL_MS = 1_000;

/** The tables' prefix under a state directory: fixed, so a restart finds the same tables in Azurite. */
export const STATE_TABLE_PREFIX = "sandbox";

/** What a state directory holds, read before anything starts. */
export interface SandboxState {
  readonly dir: string;
  readonly azuriteLocation: string;
  readonly queuesFile: string;
  readonly azureFile: string;
  readonly identityFile: string;
  /** Undefined on a first start with this directory. */
  readonly azure: WorldSnapshot | undefined;
  readonly identity: SavedIdentity | undefined;
}

/** identity.json: the dev identity's signing key and alert key, and the host's master key. */
export interface SavedIdentity extends DevIdentityKeys {
  readonly masterKey: string;
}

export async function readSandboxState(dir: string): Promise<SandboxState> {
  const files = {
    dir,
    azuriteLocation: path.join(dir, "azurite"),
    queuesFile: path.join(dir, "servicebus", "queues.json"),
    azureFile: path.join(dir, "azure.json"),
    identityFile: path.join(dir, "identity.json"),
  };
  const [azure, identity] = await Promise.all([readJsonFile(files.azureFile), readJsonFile(files.identityFile)]);
  return {
    ...files,
    azure: azure === undefined ? undefined : asWorldSnapshot(azure, files.azureFile),
    identity: identity === undefined ? undefined : asSavedIdentity(identity, files.identityFile),
  };
}

/** Writes identity.json (owner-only: it holds the keys that sign every token and open /admin). */
export async function saveIdentity(state: SandboxState, identity: DevIdentity, masterKey: string): Promise<void> {
  const saved: SavedIdentity = { ...(await identity.exportKeys()), masterKey };
  await writeFileAtomic(state.identityFile, JSON.stringify(saved), 0o600);
}

/** Saves simulated Azure (and its clock) to azure.json every AZURE_SAVE_INTERVAL_MS, and on `flush`. */
export function saveAzurePeriodically(state: SandboxState, azure: SimulatedAzure, onError: (error: unknown) => void): { flush(): Promise<void>; stop(): void } {
  const saver = throttledSaver(() => writeFileAtomic(state.azureFile, JSON.stringify(azure.snapshot())), 0, onError);
  // The clock moves with real time, so there is always something new to save.
  const timer = setInterval(() => saver.changed(), AZURE_SAVE_INTERVAL_MS);
  timer.unref();
  return {
    flush: () => saver.flush(),
    stop() {
      clearInterval(timer);
      saver.stop();
    },
  };
}

function asWorldSnapshot(value: unknown, file: string): WorldSnapshot {
  const snapshot = value as Partial<WorldSnapshot> | null;
  if (snapshot?.version !== 1 || typeof snapshot.clock !== "string" || Number.isNaN(Date.parse(snapshot.clock)))
    throw new Error(`${file}: not a simulated Azure state this sandbox wrote (version 1): remove the directory to start afresh`);
  return snapshot as WorldSnapshot;
}

function asSavedIdentity(value: unknown, file: string): SavedIdentity {
  const saved = value as Partial<SavedIdentity> | null;
  if (typeof saved?.masterKey !== "string" || typeof saved.alertKey !== "string" || typeof saved.signingKey !== "object")
    throw new Error(`${file}: not an identity this sandbox wrote: remove the directory to start afresh`);
  return { masterKey: saved.masterKey, alertKey: saved.alertKey, signingKey: saved.signingKey };
}
