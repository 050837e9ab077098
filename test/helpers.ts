import { readFileSync } from "node:fs";
import { parseEstate, type Estate } from "../shared/domain/estate.js";

export const SAMPLES_DIR = new URL("../../shared/azure-samples/", import.meta.url);

/** The sample estate the project ships, as raw JSON (for mutation) and parsed. */
export function sampleEstateJson(): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL("../estate/sample-estate.json", import.meta.url), "utf8")) as Record<string, unknown>;
}

export function sampleEstate(): Estate {
  return parseEstate(sampleEstateJson());
}

export function readSample(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, SAMPLES_DIR), "utf8"));
}
