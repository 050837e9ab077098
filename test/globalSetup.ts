import type { TestProject } from "vitest/node";
import { startAzurite } from "../local/azurite.js";
import { buildConsole } from "../scripts/buildConsole.js";

/**
 * One Azurite Table service for the whole test run, on a free port, in memory; and the console's
 * assets built once, before any test file serves them.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await buildConsole();
  const azurite = await startAzurite();
  project.provide("tableEndpoint", azurite.tableEndpoint);
  return () => azurite.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    tableEndpoint: string;
  }
}
