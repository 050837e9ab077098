import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONFIG_KEYS, ConfigError, loadConfig } from "../../shared/config/loadConfig.js";

/** Settings the Functions host itself reads; everything else in the sample must be ours. */
const HOST_KEYS = ["FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsStorage"];

describe("loadConfig", () => {
  it("local.settings.sample.json lists exactly the settings loadConfig reads (plus the host's own)", () => {
    const sample = JSON.parse(readFileSync(new URL("../../local.settings.sample.json", import.meta.url), "utf8")) as { Values: Record<string, string> };
    expect(
      Object.keys(sample.Values)
        .filter((k) => !HOST_KEYS.includes(k))
        .sort(),
    ).toEqual([...CONFIG_KEYS].sort());
  });

  it("returns a frozen, typed config", () => {
    const config = loadConfig({
      ESTATE_CONFIG_PATH: "estate/sample-estate.json",
      ServiceBusConnection__fullyQualifiedNamespace: "sb-dr.servicebus.windows.net",
      StateTables__tableServiceUri: "https://stdr.table.core.windows.net",
      AUTH_TENANT_ID: "72f988bf-0000-0000-0000-000000000000",
      AUTH_AUDIENCES: "api://asr-dr",
    });
    expect(config.AZURE_CLIENT_ID).toBe("");
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("names every missing or invalid key in one error", () => {
    const attempt = () => loadConfig({ StateTables__tableServiceUri: "not a url" });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/ESTATE_CONFIG_PATH[\s\S]*ServiceBusConnection__fullyQualifiedNamespace[\s\S]*StateTables__tableServiceUri/);
  });
});
