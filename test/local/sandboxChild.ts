import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";

export interface SandboxChild {
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  readonly exited: Promise<number | null>;
}

const running: ChildProcessWithoutNullStreams[] = [];

/** Starts the sandbox as `npm run sandbox -- <args>` does (node with the tsx loader), collecting its output. */
export function startSandboxChild(args: readonly string[]): SandboxChild {
  const child = spawn(process.execPath, ["--import", "tsx", "local/sandbox.ts", ...args], {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, NODE_ENV: "development" },
  });
  running.push(child);
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Kills every sandbox a test started and left running (call it after each test). */
export function killSandboxChildren(): void {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
}

/** Waits until the sandbox has printed `pattern`; fails at the deadline, or at once if it exited without printing it. */
export async function waitForOutput(run: SandboxChild, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(run.output());
    if (match) return match;
    if (Date.now() > deadline || run.child.exitCode !== null) throw new Error(`no ${pattern} in:\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
