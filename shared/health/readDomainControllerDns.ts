import type { GuestCommandPort } from "../ports/guestCommands.js";
import { buildDcDnsReadScript, parseDcDnsReadOutput, type DcDnsReadRequest, type DcDnsReadResult } from "../runs/adDnsScript.js";

/** Waits `ms` (real time in Azure; a local host moves its simulated clock instead), ending early on abort. */
export type Pause = (ms: number, signal: AbortSignal) => Promise<void>;

export const realPause: Pause = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new Error("aborted"));
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error("aborted"));
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });

/**
 * What the DC's DNS server holds, read with one read-only Run Command on the DC (adDnsScript.ts):
 * the AD records and their TTL, each Private DNS zone's conditional forwarder and a resolution through
 * it. Run Command is a long-running operation of about a minute (not recorded; the product's working
 * figure, engineDeps.ts guestCommandSeconds): polled here within the health check's read budget.
 */
export async function readDomainControllerDns(
  deps: { readonly guest: GuestCommandPort; readonly pause: Pause; readonly pollMs?: number },
  vmId: string,
  request: DcDnsReadRequest,
  signal: AbortSignal,
): Promise<DcDnsReadResult> {
  const command = { vmId, os: "windows" as const, script: buildDcDnsReadScript(request) };
  let progress = await deps.guest.start(command);
  while (progress.status === "running") {
    await deps.pause(deps.pollMs ?? 15_000, signal);
    progress = await deps.guest.resume(command, progress.resumeToken);
  }
  return parseDcDnsReadOutput(progress.result.stdout, request);
}
