import { describe, expect, it } from "vitest";
import { lazyRoot } from "../../shared/root/lazyRoot.js";

describe("a function app's lazy root", () => {
  it("builds once on first use, and not at all when a host installed its own", async () => {
    let builds = 0;
    const built = lazyRoot(() => Promise.resolve({ n: ++builds }));
    expect(builds).toBe(0);
    const [a, b] = await Promise.all([built.get(), built.get()]);
    expect(a).toBe(b);
    expect(builds).toBe(1);

    const installed = lazyRoot<{ n: number }>(() => Promise.reject(new Error("must not build")));
    installed.use({ n: 42 });
    expect(await installed.get()).toEqual({ n: 42 });
  });

  it("tries again on the next call after a failed build, instead of keeping the failure", async () => {
    let attempts = 0;
    const root = lazyRoot(() => (++attempts === 1 ? Promise.reject(new Error("StateTables__tableServiceUri is missing")) : Promise.resolve("ready")));
    await expect(root.get()).rejects.toThrow("StateTables__tableServiceUri is missing");
    expect(await root.get()).toBe("ready");
    expect(attempts).toBe(2);
  });
});
