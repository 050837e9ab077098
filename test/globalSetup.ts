import type { TestProject } from "vitest/node";
import { startAzurite } from "../local/azurite.js";

/** One Azurite Table service for the whole test run, on a free port, in memory. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite();
  project.provide("tableEndpoint", azurite.tableEndpoint);
  return () => azurite.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    tableEndpoint: string;
  }
}
