/** How long a stop may take before the process leaves anyway (Azurite and the peer die with it). */
export const STOP_DEADLINE_MS = 5_000;

/**
 * Waits for Ctrl+C (SIGINT) or SIGTERM, then stops `service`. Stopping ends queue deliveries between
 * messages, so a run in flight stops within seconds; a second signal, or a stop that takes longer
 * than STOP_DEADLINE_MS, ends the wait at once.
 */
export async function stopOnSignals(
  service: { stop(): Promise<void> },
  log: (line: string) => void,
  signals: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"],
): Promise<void> {
  await new Promise<void>((resolve) => {
    for (const signal of signals) process.once(signal, () => resolve());
  });
  log("Stopping…");
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      log(`stop took longer than ${STOP_DEADLINE_MS / 1000} s; leaving anyway`);
      resolve();
    }, STOP_DEADLINE_MS);
    for (const signal of signals) process.once(signal, () => resolve());
  });
  await Promise.race([service.stop().catch((error: unknown) => log(`stop failed: ${error instanceof Error ? error.message : String(error)}`)), deadline]);
  clearTimeout(timer);
}
