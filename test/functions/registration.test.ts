import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("function files", () => {
  it("register without throwing outside the host and build nothing at import time", async () => {
    const dir = new URL("../../functions/", import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) await expect(import(new URL(file, dir).href)).resolves.toBeDefined();
  });
});
