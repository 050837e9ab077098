import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const SCRIPT = fileURLToPath(new URL("../../scripts/ensure-browser.sh", import.meta.url));
// Resolved once with the real PATH: each case runs the script with a PATH of its own.
const BASH = execFileSync("bash", ["-c", "type -P bash"], { encoding: "utf8" }).trim();
const CHMOD = execFileSync("bash", ["-c", "type -P chmod"], { encoding: "utf8" }).trim();
const isRoot = process.getuid?.() === 0;

let dir: string;
let bin: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "ensure-browser-"));
  bin = path.join(dir, "bin");
  mkdirSync(bin);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function executable(file: string, body = "exit 0"): string {
  writeFileSync(file, `#!${BASH}\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** Runs the script with only `bin` on PATH, so the machine's own browsers and apt-get stay out of it. */
function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(BASH, [SCRIPT, ...args], { encoding: "utf8", env: { PATH: bin, ...env } });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
}

describe("scripts/ensure-browser.sh", () => {
  it("uses CHROMIUM_PATH as given, ahead of anything on PATH", () => {
    executable(path.join(bin, "chromium"));
    const chrome = executable(path.join(dir, "Google Chrome"));
    expect(run(["--find"], { CHROMIUM_PATH: chrome })).toMatchObject({ status: 0, stdout: chrome });
  });

  it("refuses a CHROMIUM_PATH that is not an executable file instead of falling back", () => {
    executable(path.join(bin, "chromium"));
    const notExecutable = path.join(dir, "chrome");
    writeFileSync(notExecutable, "");
    for (const bad of [notExecutable, path.join(dir, "missing"), dir]) {
      const result = run(["--find"], { CHROMIUM_PATH: bad });
      expect(result.status).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(`CHROMIUM_PATH=${bad} is not an executable file`);
    }
  });

  it("looks for chromium, then chromium-browser, then google-chrome on PATH", () => {
    const chrome = executable(path.join(bin, "google-chrome"));
    expect(run(["--find"]).stdout).toBe(chrome);
    const chromiumBrowser = executable(path.join(bin, "chromium-browser"));
    expect(run(["--find"]).stdout).toBe(chromiumBrowser);
    const chromium = executable(path.join(bin, "chromium"));
    expect(run(["--find"]).stdout).toBe(chromium);
    expect(run([])).toMatchObject({ status: 0, stdout: "", stderr: `ensure-browser: browser test uses ${chromium}\n` });
  });

  it("with no browser and no apt-get, stops and says what to install", () => {
    for (const args of [["--find"], []]) {
      const result = run(args);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain("no Chromium found for the browser test");
      expect(result.stderr).toContain("chromium, chromium-browser or google-chrome is on PATH");
      expect(result.stderr).toContain("CHROMIUM_PATH");
    }
  });

  it("rejects an unknown argument", () => {
    expect(run(["--install"])).toMatchObject({ status: 2, stderr: expect.stringContaining("usage: scripts/ensure-browser.sh [--find]") });
  });

  describe.skipIf(!isRoot)("as root with apt-get", () => {
    /** An apt-get that records its calls and, on install, puts a chromium on PATH like the package does. */
    function fakeAptGet(installExit = 0): string {
      const calls = path.join(dir, "apt-calls");
      executable(
        path.join(bin, "apt-get"),
        [
          `echo "DEBIAN_FRONTEND=$DEBIAN_FRONTEND $*" >> "${calls}"`,
          `if [[ "$*" == *install* ]]; then`,
          `  if [[ ${installExit} -ne 0 ]]; then echo "E: Unable to locate package chromium"; exit ${installExit}; fi`,
          `  printf '#!${BASH}\\n' > "${bin}/chromium"; "${CHMOD}" +x "${bin}/chromium"`,
          `fi`,
        ].join("\n"),
      );
      return calls;
    }

    it("installs Debian's chromium non-interactively (update, then install -y) and uses it", () => {
      const calls = fakeAptGet();
      const result = run([]);
      expect(result).toMatchObject({ status: 0, stdout: "" });
      expect(result.stderr).toContain("installing Debian's chromium");
      expect(result.stderr).toContain(`browser test uses ${bin}/chromium`);
      expect(readFileSync(calls, "utf8")).toBe("DEBIAN_FRONTEND=noninteractive -q update\nDEBIAN_FRONTEND=noninteractive -q install -y chromium\n");
    });

    it("only looks when asked to find (--find never installs)", () => {
      const calls = fakeAptGet();
      expect(run(["--find"]).status).toBe(1);
      expect(existsSync(calls)).toBe(false);
    });

    it("shows apt-get's output and fails when the install fails", () => {
      fakeAptGet(100);
      const result = run([]);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("E: Unable to locate package chromium");
      expect(result.stderr).toContain("apt-get install -y chromium failed");
    });
  });
});
