import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readSample, SAMPLES_DIR } from "./helpers.js";

const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));
const samplesDir = fileURLToPath(SAMPLES_DIR);
const samples = readdirSync(samplesDir).filter((f) => f !== "README.md");

describe("real Azure samples", () => {
  it("live inside the repository, so a clone with nothing beside it passes", () => {
    const relative = path.relative(REPO_ROOT, samplesDir);
    expect(relative.startsWith("..") || path.isAbsolute(relative)).toBe(false);
    expect(readSample("alert-metric-fired.json")).toMatchObject({ schemaId: "azureMonitorCommonAlertSchema" });
  });

  it("each have a row in the folder's README naming their source", () => {
    const readme = readFileSync(path.join(samplesDir, "README.md"), "utf8");
    expect(samples.length).toBeGreaterThan(0);
    for (const file of samples) expect(readme, file).toMatch(new RegExp(`^\\| ${file.replaceAll(".", "\\.")} \\|`, "m"));
  });
});
