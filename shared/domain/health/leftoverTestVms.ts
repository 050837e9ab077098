import type { Estate } from "../estate.js";
import type { Advice, CheckStatus, HealthCheck } from "./healthReport.js";
import type { HealthSnapshot, ProtectedItemSnapshot } from "./healthSnapshot.js";

/**
 * A test failover ASR still holds: from the moment a test failover starts until its cleanup ends, the
 * item's currentScenario is 'TestFailover' and, once the test VM is up, its only allowed operation is
 * 'TestFailoverCleanup' (spec example asr-protecteditem-testfailover.json; recorded InMageRcm traffic).
 */
export interface LeftoverTestVm {
  /** The machine name ASR shows (the estate VM name for estate items). */
  readonly vm: string;
  readonly vaultKey: string;
  readonly item: string;
  /** 'awaitingCleanup': the test VM exists; 'inProgress': the test failover job is still running. */
  readonly state: "awaitingCleanup" | "inProgress";
}

/** Leftover test VMs among the items listed per vault (estate vault key → items). Pure. */
export function findLeftoverTestVms(itemsByVault: Readonly<Record<string, readonly ProtectedItemSnapshot[]>>): LeftoverTestVm[] {
  const found: LeftoverTestVm[] = [];
  for (const [vaultKey, items] of Object.entries(itemsByVault)) {
    for (const item of items) {
      const cleanupAllowed = item.allowedOperations?.includes("TestFailoverCleanup") ?? false;
      if (!cleanupAllowed && item.currentScenario !== "TestFailover") continue;
      found.push({ vm: item.friendlyName || item.name, vaultKey, item: item.name, state: cleanupAllowed ? "awaitingCleanup" : "inProgress" });
    }
  }
  return found;
}

export function describeLeftovers(leftovers: readonly LeftoverTestVm[]): string {
  const waiting = leftovers.filter((l) => l.state === "awaitingCleanup").map((l) => l.vm);
  const running = leftovers.filter((l) => l.state === "inProgress").map((l) => l.vm);
  return [
    waiting.length > 0 ? `${waiting.length} test VM(s) not cleaned up (${waiting.join(", ")})` : "",
    running.length > 0 ? `${running.length} test failover(s) still running (${running.join(", ")})` : "",
  ]
    .filter(Boolean)
    .join("; ");
}

const TEST_FAILOVER_REFERENCE = "https://learn.microsoft.com/azure/site-recovery/site-recovery-test-failover-to-azure";

export function leftoverTestVmAdvice(): Advice {
  return {
    id: "leftover-test-vms",
    title: "Clean up the test failovers",
    steps: [
      "If a drill of this product left them (GET /api/runs shows a failed or cancelled test run), it cleans up on its own once its grace period ends; to clean up now, POST /api/runs/<runId>/cleanup (operator role).",
      "Otherwise, in the vault: Replicated items > the VM > Cleanup test failover (or Start-AzRecoveryServicesAsrTestFailoverCleanupJob). ASR deletes the test VM and its NICs.",
      "Until then ASR allows nothing else on these items: neither a failover nor another drill can start for them.",
    ],
    reference: TEST_FAILOVER_REFERENCE,
  };
}

/**
 * Red while any item holds a test failover: ASR's allowedOperations then offer only its cleanup, so a
 * real failover of that VM would be refused, and the next drill would fail on it.
 */
export function leftoverTestVmCheck({ estate, snapshot }: { readonly estate: Estate; readonly snapshot: HealthSnapshot }): HealthCheck {
  const base = { id: "estate/leftoverTestVms", kind: "leftoverTestVms" as const, subject: "test failovers", title: "No test VMs left behind" };
  const listed: Record<string, readonly ProtectedItemSnapshot[]> = {};
  const unread: string[] = [];
  for (const [key, vault] of Object.entries(snapshot.vaults)) {
    if (vault.items.ok) listed[key] = vault.items.value;
    else unread.push(`${estate.vaults[key]?.name ?? key}: ${vault.items.reason}`);
  }
  const leftovers = findLeftoverTestVms(listed);
  const status: CheckStatus = leftovers.length > 0 ? "red" : unread.length > 0 ? "unknown" : "green";
  const tail = unread.length > 0 ? ` Could not check ${unread.join("; ")}.` : "";
  if (leftovers.length === 0)
    return {
      ...base,
      status,
      reason: `${unread.length > 0 ? "None in the vaults that were read." : "No protected item holds a test failover."}${tail}`,
      advice: [],
    };
  return {
    ...base,
    status,
    reason: `${capitalise(describeLeftovers(leftovers))}: ASR allows only their cleanup until it runs, so a failover or a drill of these VMs would be refused.${tail}`,
    advice: [leftoverTestVmAdvice()],
  };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
