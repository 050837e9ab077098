import { readFile } from "node:fs/promises";
import { checkEstate, type Estate } from "../../shared/domain/estate.js";
import { meaningProblems } from "../../shared/domain/estateMeaning.js";

/**
 * Every problem of an estate file in one pass: JSON syntax, shape, draft entries, cross-references and,
 * once the shape is right, what the estate means (routes through the NAT, DC checks, objectives met).
 */
export async function validateEstateFile(file: string): Promise<{ readonly estate: Estate | undefined; readonly problems: readonly string[] }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    return { estate: undefined, problems: [`${file}: cannot be read (${error instanceof Error ? error.message : String(error)})`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { estate: undefined, problems: [`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`] };
  }
  const { estate, problems } = checkEstate(json);
  if (!estate) return { estate, problems };
  let meaning: string[];
  try {
    meaning = meaningProblems(estate);
  } catch (error) {
    // The planner refuses what the references already name (an unknown tier, a cycle): those problems say it.
    meaning = problems.length > 0 ? [] : [`(root): the failover cannot be planned: ${error instanceof Error ? error.message : String(error)}`];
  }
  return { estate, problems: [...problems, ...meaning] };
}
