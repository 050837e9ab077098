import type { HealthProbePort } from "../ports/healthProbe.js";

/** Probes recovered VMs over the Function App's VNet integration with a bounded wait. */
export function createHttpHealthProbe({ timeoutMs = 10_000 }: { timeoutMs?: number } = {}): HealthProbePort {
  return {
    async probe(url) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
        return { ok: response.status >= 200 && response.status < 300, detail: `HTTP ${response.status}` };
      } catch (error) {
        return { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}
