import type { AppRoot } from "../root/appRoot.js";
import { loadConfig } from "../config/loadConfig.js";
import { loadEstateFile } from "../config/loadEstateFile.js";
import { buildAppRoot } from "../root/buildAppRoot.js";
import { appCredential, createAzureInfrastructure } from "./azureInfrastructure.js";
import { startTelemetry } from "./telemetry.js";

/** The Function App's root: settings validated once, the estate file, the managed identity, Azure's services. */
export async function buildProductionRoot(env: Readonly<Record<string, string | undefined>>): Promise<AppRoot> {
  const config = loadConfig(env);
  const credential = appCredential(config);
  startTelemetry(config, credential);
  const estate = await loadEstateFile(config.ESTATE_CONFIG_PATH);
  return buildAppRoot(config, estate, createAzureInfrastructure(config, estate.name, credential));
}
