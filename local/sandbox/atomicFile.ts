import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Writes `text` to `file` so a reader (or a restart after a crash) sees the old content or the new,
 * never half of it: a temporary file beside it, flushed, then renamed over it (rename is atomic
 * within one file system on POSIX and NTFS).
 */
export async function writeFileAtomic(file: string, text: string, mode = 0o600): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temporary, text, { mode, flush: true });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** The JSON in `file`, or undefined when there is no such file; a file that is not JSON is an error naming it. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${file} is not JSON (${error instanceof Error ? error.message : String(error)}): remove it to start afresh`);
  }
}

/**
 * Saves with `save` at most once per `intervalMs` after a change, one save at a time, and once more
 * on `flush`: a change made while a save runs is caught by the next one.
 */
export function throttledSaver(
  save: () => Promise<void>,
  intervalMs: number,
  onError: (error: unknown) => void,
): { changed(): void; flush(): Promise<void>; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = (): Promise<void> => (running = running.then(save).catch(onError));
  return {
    changed() {
      if (timer || stopped) return;
      timer = setTimeout(() => {
        timer = undefined;
        void run();
      }, intervalMs);
    },
    async flush() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await run();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
