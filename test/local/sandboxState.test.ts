import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { killSandboxChildren, startSandboxChild, waitForOutput, type SandboxChild } from "./sandboxChild.js";
import { afterEach, describe, expect, it } from "vitest";
import { nonEmpty } from "../../local/cliOptions.js";
import { loadEstateFile } from "../../shared/config/loadEstateFile.js";

const dirs: string[] = [];
afterEach(async () => {
  killSandboxChildren();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** The URL, keys and tokens a started sandbox prints. */
async function started(run: SandboxChild): Promise<{ url: string; masterKey: string; operator: string; reader: string }> {
  await waitForOutput(run, /Press Ctrl\+C to stop/, 60_000);
  const printed = (pattern: RegExp): string => pattern.exec(run.output())?.[1] ?? "";
  return {
    url: printed(/on (http:\/\/127\.0\.0\.1:\d+)/),
    masterKey: printed(/Master key[^:]*:\s+(\S+)/),
    operator: printed(/operator:\s+(\S+)/),
    reader: printed(/reader:\s+(\S+)/),
  };
}

interface RunView {
  outcome: string;
  steps: { id: string; kind: string; target: string; status: string }[];
}

async function getJson<T>(url: string, headers: Record<string, string>): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { headers });
  return { status: response.status, body: (await response.json()) as T };
}

describe("npm run sandbox -- --state <dir>", () => {
  it("refuses an empty --state, before starting anything", () => {
    expect(() => nonEmpty("--state", " ")).toThrow("--state: a value is required");
    expect(nonEmpty("--state", "state/dev")).toBe("state/dev");
  });

  it(
    "resumes a drill stopped mid-run with Ctrl+C: the run completes once, each VM's test failover asked of ASR once, tokens from before the restart still valid",
    { timeout: 150_000 },
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), "sandbox-state-"));
      dirs.push(dir);
      const estate = await loadEstateFile("estate/sample-estate.json");
      const args = ["--port", "0", "--state", dir];

      const first = startSandboxChild(args);
      const before = await started(first);
      expect(first.output()).toMatch(`State kept in ${dir}`);
      const start = await fetch(`${before.url}/api/failover`, {
        method: "POST",
        headers: { authorization: `Bearer ${before.operator}`, "content-type": "application/json" },
        body: JSON.stringify({ mode: "test", scope: "all", reason: "drill across a restart", finish: "automatic" }),
      });
      expect(start.status).toBe(202);
      const { runId } = (await start.json()) as { runId: string };

      // Stop once ASR has accepted some test failovers and the run is still going.
      const statsOf = async (url: string, masterKey: string) =>
        (await getJson<{ failoverCalls: Record<string, number> }>(`${url}/admin/sandbox/simulated-azure/stats`, { "x-functions-key": masterKey })).body;
      const deadline = Date.now() + 60_000;
      for (;;) {
        const calls = Object.keys((await statsOf(before.url, before.masterKey)).failoverCalls).length;
        if (calls > 0) break;
        if (Date.now() > deadline) throw new Error(`no test failover was asked of ASR:\n${first.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      first.child.kill("SIGINT");
      expect(await first.exited).toBe(0);
      expect(first.output()).not.toMatch(/leaving anyway|saving the sandbox state failed/);
      const midRun = await readdir(dir);
      expect(midRun.sort()).toEqual(["azure.json", "azurite", "identity.json", "servicebus"]);
      expect((await stat(path.join(dir, "identity.json"))).mode & 0o077).toBe(0);

      const second = startSandboxChild(args);
      const after = await started(second);
      expect(second.output()).toMatch(
        new RegExp(`Resumed from ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: 1 run\\(s\\), 1 in flight; [1-9]\\d* queued message`),
      );
      expect(after.masterKey).toBe(before.masterKey);

      // A token issued by the first process is still valid.
      const reader = { authorization: `Bearer ${before.reader}` };
      const finishedBy = Date.now() + 90_000;
      let run: RunView;
      for (;;) {
        const answer = await getJson<RunView>(`${after.url}/api/runs/${runId}`, reader);
        expect(answer.status).toBe(200);
        run = answer.body;
        if (run.outcome !== "running") break;
        if (Date.now() > finishedBy)
          throw new Error(`run ${runId} still running: ${run.steps.map((s) => `${s.id}=${s.status}`).join(" ")}\n${second.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(run.outcome).toBe("succeeded");
      expect(run.steps.filter((s) => s.status !== "succeeded")).toEqual([]);
      const runs = await getJson<{ runs: { runId: string; status: string }[] }>(`${after.url}/api/runs`, reader);
      expect(runs.body.runs.map((r) => [r.runId, r.status])).toEqual([[runId, "succeeded"]]);

      // The counts carry over the restart: one accepted test failover per VM the drill fails over, both processes together.
      const { failoverCalls } = await statsOf(after.url, after.masterKey);
      expect((await fetch(`${after.url}/admin/sandbox/simulated-azure/stats`)).status).toBe(401); // the master key is required
      const failedOver = run.steps.filter((s) => s.kind === "failover").map((s) => s.target);
      expect(failedOver.length).toBeGreaterThan(estate.vms.length / 2);
      expect(failoverCalls).toEqual(Object.fromEntries(failedOver.map((vm) => [vm, 1])));

      second.child.kill("SIGINT");
      expect(await second.exited).toBe(0);
    },
  );
});
