import { readFileSync } from "node:fs";
import { parseCommonAlert, type ParsedAlert } from "../shared/domain/incidents/commonAlert.js";
import { EstateConfigError, parseEstate, type Estate } from "../shared/domain/estate.js";

/** Real Azure payloads, copied into the repository with their sources (fixtures/azure/README.md). */
export const SAMPLES_DIR = new URL("fixtures/azure/", import.meta.url);

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

/** A common-schema alert written for the sample estate (test/fixtures/alerts), as posted. */
export function fixtureAlertJson(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`fixtures/alerts/${name}`, import.meta.url), "utf8")) as Record<string, unknown>;
}

export function fixtureAlert(name: string): ParsedAlert {
  const result = parseCommonAlert(fixtureAlertJson(name));
  if (!result.ok) throw new Error(result.problems.join("; "));
  return result.alert;
}

/** The problems parseEstate lists for an estate that must be refused (throws if it is accepted). */
export function estateProblems(input: unknown): readonly string[] {
  try {
    parseEstate(input);
  } catch (error) {
    if (error instanceof EstateConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected the estate to be rejected");
}
