import { updateAdDnsStepId, type AdDnsStep } from "../domain/adDnsSteps.js";
import type { AdRecordValue } from "../domain/adDnsRecords.js";
import type { HealthReport } from "../domain/health/healthReport.js";
import type { Plan } from "../domain/plan.js";
import type { RunStore } from "../ports/runStore.js";

/** A name in the AD-integrated DNS a run would change, old -> new. */
export interface PreviewAdDnsChange {
  readonly record: string;
  readonly zoneType: "activeDirectory";
  readonly zone: string;
  readonly name: string;
  /** A failback: what the failover wrote (it must still hold it); a failover: not read live (a Run Command takes a minute). */
  readonly from: readonly string[] | null;
  readonly to: readonly string[] | null;
  readonly ttl: number | null;
  /** Where `from` comes from, or what the last nightly check saw. */
  readonly detail: string;
}

/** A finding of the last nightly check that a run depends on: names, forwarders, VNet DNS, routes. */
export interface PreviewNetworkFinding {
  readonly check: string;
  readonly status: string;
  readonly reason: string;
  readonly advice: readonly string[];
  readonly checkedAt: string;
}

export interface AdDnsPreviewReads {
  /** The latest nightly health report (what it read on the target DC, the VNets and the routes); absent: not wired. */
  readonly latestHealthReport?: () => Promise<HealthReport | undefined>;
  readonly runs?: RunStore;
}

const NETWORK_KINDS = new Set(["dnsForwarder", "vnetDns", "routes"]);

/**
 * The AD DNS part of a dry run, with no Run Command (a preview answers at once): a failover's changes
 * with what the last nightly check read on the target DC; a failback's from the failover run's journal.
 * Beside them, the last check's findings on forwarders, recovery VNet DNS servers, routes and AD names
 * that are not green, each with its advice.
 */
export async function previewAdDns(
  reads: AdDnsPreviewReads,
  plan: Plan,
): Promise<{ readonly adDnsChanges: readonly PreviewAdDnsChange[]; readonly networkFindings: readonly PreviewNetworkFinding[] }> {
  const steps = plan.steps.filter((s): s is AdDnsStep => s.kind === "updateAdDns" || s.kind === "restoreAdDns");
  const report = reads.latestHealthReport ? await reads.latestHealthReport() : undefined;
  const adCheck = (zone: string, name: string) => report?.estateChecks.find((c) => c.id === `estate/dns/activedirectory/${zone}/${name}`.toLowerCase());
  const adDnsChanges = await Promise.all(
    steps.map(async (step): Promise<PreviewAdDnsChange> => {
      const base = { record: step.target, zoneType: "activeDirectory" as const, zone: step.zone, name: step.name };
      if (step.kind === "updateAdDns") {
        const seen = adCheck(step.zone, step.name);
        return {
          ...base,
          from: null,
          to: step.addresses,
          ttl: step.ttl,
          detail: seen
            ? `read on the target DC when the run starts; the nightly check at ${report?.startedAt ?? "?"} found: ${seen.reason}`
            : "read on the target DC when the run starts (no nightly check has read it yet)",
        };
      }
      const flipped = reads.runs ? await reads.runs.getStep(step.failoverRunId, updateAdDnsStepId(step.zone, step.name)) : undefined;
      const wrote = (flipped?.value.journal.output as { to?: AdRecordValue | null } | undefined)?.to;
      const previous = flipped?.value.journal.previous as AdRecordValue | null | undefined;
      if (!flipped || flipped.value.status !== "succeeded" || wrote === undefined || previous === undefined) {
        return { ...base, from: null, to: null, ttl: null, detail: `run ${step.failoverRunId} did not flip this name: left as it is` };
      }
      return {
        ...base,
        from: wrote?.addresses ?? null,
        to: previous?.addresses ?? null,
        ttl: previous?.ttl ?? null,
        detail: `set back only while it still holds what run ${step.failoverRunId} wrote`,
      };
    }),
  );
  const networkFindings = (report?.estateChecks ?? [])
    .filter((c) => c.status !== "green" && (NETWORK_KINDS.has(c.kind) || c.id.startsWith("estate/dns/activedirectory/")))
    .map((c) => ({ check: c.id, status: c.status, reason: c.reason, advice: c.advice.flatMap((a) => a.steps), checkedAt: report?.startedAt ?? "" }));
  return { adDnsChanges, networkFindings };
}
