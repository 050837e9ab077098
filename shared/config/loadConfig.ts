import { z } from "zod";

/** App settings the product reads; `local.settings.sample.json` and the Bicep app settings list exactly these. */
export const ConfigSchema = z.object({
  /** Path of the estate file (VMs, tiers, vaults, DNS, routes). */
  ESTATE_CONFIG_PATH: z.string().min(1),
  /** Client id of the user-assigned managed identity; empty uses the default credential chain. */
  AZURE_CLIENT_ID: z.string().default(""),
  /** Service Bus namespace of the step queue (identity-based connection, as the trigger uses it). */
  ServiceBusConnection__fullyQualifiedNamespace: z.string().min(1),
  /** Table service endpoint holding runs, steps and the run lock (identity-based). */
  StateTables__tableServiceUri: z.url(),
});

export type AppConfig = Readonly<z.infer<typeof ConfigSchema>>;
export const CONFIG_KEYS = Object.keys(ConfigSchema.shape) as readonly (keyof AppConfig)[];

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Validates the settings once and names every missing or invalid key in one error. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  const parsed = ConfigSchema.safeParse(Object.fromEntries(CONFIG_KEYS.map((k) => [k, env[k]])));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid app settings:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
  return Object.freeze(parsed.data);
}
