import { readFile } from "node:fs/promises";
import { EstateConfigError, parseEstate, type Estate } from "../domain/estate.js";

/** Reads and validates the estate file; a bad file is rejected with every problem listed. */
export async function loadEstateFile(path: string): Promise<Estate> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new EstateConfigError([`${path}: cannot be read (${error instanceof Error ? error.message : String(error)})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new EstateConfigError([`${path}: not valid JSON (${error instanceof Error ? error.message : String(error)})`]);
  }
  return parseEstate(json);
}
