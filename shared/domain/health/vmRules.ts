import type { Estate, Vault, Vm } from "../estate.js";
import { ageMs, DAY_MS, formatAge, MINUTE_MS } from "./format.js";
import { worst, type Advice, type CheckStatus, type HealthCheck, type VmCheckKind } from "./healthReport.js";
import type { GuestRunEvidence, ProtectedItemSnapshot, Read, RecoveryPointSummary } from "./healthSnapshot.js";
import type { ItemLocation } from "./inventory.js";
import { adviceForHealthError, adviceForSymptom } from "./remediation.js";
import type { HealthThresholds } from "./thresholds.js";

export interface VmRuleInput {
  readonly estate: Estate;
  readonly vm: Vm;
  readonly location: ItemLocation;
  /** The item's recovery points; undefined when there was no item to list them for. */
  readonly points: Read<RecoveryPointSummary> | undefined;
  /** In-guest check steps of recent runs; undefined when the run history is not wired (the check is left out). */
  readonly runs?: Read<readonly GuestRunEvidence[]> | undefined;
  readonly now: Date;
  readonly thresholds: HealthThresholds;
}

const TITLES: Readonly<Record<VmCheckKind, string>> = {
  inventory: "Protected in the expected vault",
  replication: "Replication health and protection state",
  rpo: "RPO",
  appConsistency: "App-consistent recovery point",
  retention: "Recovery point retention",
  mobilityAgent: "Mobility agent",
  testFailover: "Last successful test failover",
  targetSettings: "Target network, subnet and size",
  guestAgent: "Azure VM agent for the in-guest checks (proven by a drill)",
};

function check(vm: Vm, kind: VmCheckKind, status: CheckStatus, reason: string, advice: readonly Advice[] = []): HealthCheck {
  return { id: `vm/${vm.name}/${kind}`, kind, subject: vm.name, title: TITLES[kind], status, reason, advice: dedupe(advice) };
}

function dedupe(advice: readonly Advice[]): Advice[] {
  const seen = new Set<string>();
  return advice.filter((a) => {
    const key = `${a.id}|${a.errorCode ?? ""}|${a.verbatim ?? ""}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const VM_KINDS: readonly VmCheckKind[] = ["inventory", "replication", "rpo", "appConsistency", "retention", "mobilityAgent", "testFailover", "targetSettings"];

/** Every per-VM check, in a fixed order (a VM with no protected item has only its inventory check). */
export function evaluateVm(input: VmRuleInput): HealthCheck[] {
  const { vm, location, estate } = input;
  const vault = estate.vaults[vm.vault];
  if (location.kind === "missing") {
    // Nothing else to check: there is no replication. The one red check says what to do.
    return [
      check(
        vm,
        "inventory",
        "red",
        `No protected item '${vm.protectedItem}' (or machine '${vm.name}') in any of the estate's vaults: a failover cannot recover this VM.`,
        [inventoryAdvice(vm, vault, "missing")],
      ),
    ];
  }
  // Read from the run history, not from ASR: it does not depend on the vault being readable.
  const guest = guestAgentCheck(input);
  const extra = guest ? [guest] : [];
  if (location.kind === "unread") {
    const why = `Could not check: ${location.reason}.`;
    return [...VM_KINDS.map((kind) => check(vm, kind, "unknown", why)), ...extra];
  }
  const item = location.item;
  return [
    inventoryCheck(vm, vault, location),
    replicationCheck(vm, item),
    rpoCheck(input, item),
    appConsistencyCheck(input),
    retentionCheck(input),
    agentCheck(input, item),
    testFailoverCheck(input, item),
    targetSettingsCheck(vm, vault, item),
    ...extra,
  ];
}

function inventoryAdvice(vm: Vm, vault: Vault | undefined, problem: "missing" | "moved", foundIn?: string): Advice {
  return problem === "missing"
    ? {
        id: "inventory-missing",
        title: "Protect the VM again, or take it out of the estate",
        steps: [
          `If ${vm.name} should be protected: enable replication for it in vault '${vault?.name ?? vm.vault}' with the estate's replication policy, then wait for initial replication to finish.`,
          `If it was retired on purpose: remove it from the estate file (vms[name=${vm.name}]) so failovers and reports stop expecting it.`,
        ],
        reference: "https://learn.microsoft.com/azure/site-recovery/vmware-azure-set-up-replication-tutorial-modernized",
      }
    : {
        id: "inventory-moved",
        title: "The estate and ASR disagree on the VM's vault",
        steps: [
          `${vm.name} is protected in vault '${foundIn ?? "?"}', but the estate names '${vm.vault}': a failover would look for it in the wrong vault and fail.`,
          `Either set vms[name=${vm.name}].vault to '${foundIn ?? "?"}' in the estate file, or disable replication there and enable it in '${vault?.name ?? vm.vault}'.`,
        ],
        reference: "https://learn.microsoft.com/azure/site-recovery/vmware-azure-set-up-replication-tutorial-modernized",
      };
}

function inventoryCheck(vm: Vm, vault: Vault | undefined, location: Extract<ItemLocation, { item: unknown }>): HealthCheck {
  if (location.kind === "moved") {
    return check(
      vm,
      "inventory",
      "red",
      `Protected in vault '${location.vaultKey}' (item '${location.item.name}'), not in '${vm.vault}' as the estate says: a failover would not find it.`,
      [inventoryAdvice(vm, vault, "moved", location.vaultKey)],
    );
  }
  const provider = location.item.provider;
  // After a failover and reprotect, an InMageRcm item replicates back to vSphere as InMageRcmFailback (recorded).
  if (vault?.provider === "InMageRcm" && provider === "InMageRcmFailback") {
    return check(
      vm,
      "inventory",
      "green",
      `Protected item '${location.item.name}' in vault '${location.vaultKey}' replicates back to vSphere (InMageRcmFailback) after a failover: failback is a planned failover.`,
    );
  }
  if (vault && provider && provider !== vault.provider) {
    return check(
      vm,
      "inventory",
      "red",
      `Item '${location.item.name}' replicates with provider ${provider}, but the estate's vault '${vm.vault}' says ${vault.provider}: ASR would reject the failover input.`,
      [
        {
          id: "inventory-provider",
          title: "Align the estate's provider with ASR",
          steps: [`Set vaults.${vm.vault}.provider to '${provider}' in the estate file, or re-protect the VM with the ${vault.provider} provider.`],
          reference: "https://learn.microsoft.com/azure/site-recovery/vmware-azure-architecture-modernized",
        },
      ],
    );
  }
  return check(vm, "inventory", "green", `Protected item '${location.item.name}' in vault '${location.vaultKey}' (${provider || "provider not reported"}).`);
}

function replicationCheck(vm: Vm, item: ProtectedItemSnapshot): HealthCheck {
  const statuses: CheckStatus[] = [];
  const parts: string[] = [];
  const state = item.protectionState;
  if (state === "Protected") statuses.push("green");
  else if (/fail|error|critical/i.test(state) && !/commit|pending/i.test(state)) statuses.push("red");
  else statuses.push("amber");
  parts.push(`protection state ${state || "not reported"}`);
  const health = item.replicationHealth;
  statuses.push(health === "Normal" ? "green" : health === "Critical" ? "red" : "amber");
  parts.push(`replication health ${health || "not reported"}`);
  if (item.activeLocation === "Recovery") {
    statuses.push("amber");
    parts.push("running in Azure after a failover: re-protect and fail back before another failover can be relied on");
  }
  const advice = item.healthErrors.map((e) => adviceForHealthError(e, vm.os));
  for (const e of item.healthErrors) {
    statuses.push(/warning/i.test(e.level ?? "") ? "amber" : "red");
    parts.push(`health error${e.code ? ` ${e.code}` : ""}: ${e.message}`);
  }
  return check(vm, "replication", worst(statuses), `${capitalise(parts.join("; "))}.`, advice);
}

function rpoCheck(input: VmRuleInput, item: ProtectedItemSnapshot): HealthCheck {
  const { vm, now, thresholds, estate } = input;
  const objectiveMs = estate.objectives.rpoMinutes * MINUTE_MS;
  // Data written since the newest point ASR received is what a failover now would lose.
  const rpoMs = item.lastRecoveryPointReceived
    ? ageMs(now, item.lastRecoveryPointReceived)
    : item.lastRpoInSeconds !== undefined
      ? item.lastRpoInSeconds * 1000
      : undefined;
  if (rpoMs === undefined) return check(vm, "rpo", "unknown", "ASR reported neither the last recovery point received nor a calculated RPO.");
  const heartbeatAge = item.agent.lastHeartbeat ? ageMs(now, item.agent.lastHeartbeat) : undefined;
  const agentSilent = heartbeatAge !== undefined && heartbeatAge > thresholds.agentHeartbeatAmberMinutes * MINUTE_MS;
  const status: CheckStatus = rpoMs > objectiveMs ? "red" : rpoMs >= objectiveMs * thresholds.rpoAmberRatio ? "amber" : "green";
  const base = `Current RPO ${formatAge(rpoMs)} against the ${estate.objectives.rpoMinutes} min objective`;
  if (status === "green") return check(vm, "rpo", status, `${base}.`);
  const why = agentSilent
    ? `the Mobility agent has not reported for ${formatAge(heartbeatAge ?? 0)}`
    : "replication is falling behind while the agent still reports";
  const verdict =
    status === "red"
      ? "breached: a failover now would lose more than the objective allows"
      : `above ${Math.round(thresholds.rpoAmberRatio * 100)}% of it, not yet breached`;
  return check(vm, "rpo", status, `${base}: ${verdict}; ${why}.`, [adviceForSymptom(agentSilent ? "agent-silent" : "replication-behind", vm.os)]);
}

function appConsistencyCheck(input: VmRuleInput): HealthCheck {
  const { vm, now, thresholds, estate, points } = input;
  if (!points) return check(vm, "appConsistency", "unknown", "Not checked: no recovery points were listed for this VM.");
  if (!points.ok) return check(vm, "appConsistency", "unknown", `Could not check: ${points.reason}.`);
  const frequencyMs = estate.objectives.appConsistentFrequencyMinutes * MINUTE_MS;
  const { newestAppConsistent, newestCrashConsistent } = points.value;
  const crashFresh = newestCrashConsistent !== undefined && ageMs(now, newestCrashConsistent) <= estate.objectives.rpoMinutes * MINUTE_MS;
  const appAge = newestAppConsistent ? ageMs(now, newestAppConsistent) : undefined;
  const status: CheckStatus =
    appAge === undefined
      ? "red"
      : appAge <= thresholds.appConsistentAmberIntervals * frequencyMs
        ? "green"
        : appAge <= thresholds.appConsistentRedIntervals * frequencyMs
          ? "amber"
          : "red";
  const base =
    appAge === undefined
      ? `No app-consistent point among the ${points.value.count} recovery points`
      : `Newest app-consistent point is ${formatAge(appAge)} old (one expected every ${estate.objectives.appConsistentFrequencyMinutes} min)`;
  if (status === "green") return check(vm, "appConsistency", status, `${base}.`);
  if (crashFresh) {
    const cause =
      vm.os === "windows" ? "a VSS writer or the ASR VSS provider is failing on the VM" : "app-consistency scripts are not set up or are failing on the VM";
    return check(
      vm,
      "appConsistency",
      status,
      `${base}, while crash-consistent points are fresh (${formatAge(ageMs(now, newestCrashConsistent))}): ${cause}.`,
      [adviceForSymptom("app-consistency-stale", vm.os)],
    );
  }
  return check(vm, "appConsistency", status, `${base}; crash-consistent points are stale too, so replication itself is behind (see RPO).`, [
    adviceForSymptom("replication-behind", vm.os),
  ]);
}

function retentionCheck(input: VmRuleInput): HealthCheck {
  const { vm, now, thresholds, estate, points } = input;
  if (!points) return check(vm, "retention", "unknown", "Not checked: no recovery points were listed for this VM.");
  if (!points.ok) return check(vm, "retention", "unknown", `Could not check: ${points.reason}.`);
  const retentionMs = estate.objectives.retentionDays * DAY_MS;
  const oldest = points.value.oldest;
  if (!oldest)
    return check(vm, "retention", "red", "ASR holds no recovery point for this VM: there is nothing to fail over to.", [
      adviceForSymptom("replication-behind", vm.os),
    ]);
  const coverage = ageMs(now, oldest) / retentionMs;
  const base = `Oldest recovery point is ${formatAge(ageMs(now, oldest))} old against the ${estate.objectives.retentionDays}-day retention`;
  if (coverage >= thresholds.retentionCoverageRatio) return check(vm, "retention", "green", `${base}.`);
  return check(
    vm,
    "retention",
    "amber",
    `${base}: points reach back only ${Math.round(coverage * 100)}% of it (replication re-enabled recently, or the policy keeps less; see the replication policy check).`,
    [
      {
        id: "retention-short",
        title: "Recovery history shorter than the retention objective",
        steps: [
          `If replication of ${vm.name} was enabled or resynchronised recently, the history fills up by itself within ${estate.objectives.retentionDays} days.`,
          `Otherwise check the replication policy's retention (recovery point history) in vault '${vm.vault}' against ${estate.objectives.retentionDays} days.`,
        ],
        reference: "https://learn.microsoft.com/azure/site-recovery/vmware-azure-set-up-replication-tutorial-modernized",
      },
    ],
  );
}

function agentCheck(input: VmRuleInput, item: ProtectedItemSnapshot): HealthCheck {
  const { vm, now, thresholds } = input;
  const { lastHeartbeat, version, latestVersion, expiresOn } = item.agent;
  const statuses: CheckStatus[] = [];
  const parts: string[] = [];
  const advice: Advice[] = [];
  if (!lastHeartbeat) {
    statuses.push("unknown");
    parts.push("ASR reported no agent heartbeat");
  } else {
    const age = ageMs(now, lastHeartbeat);
    const status: CheckStatus =
      age > thresholds.agentHeartbeatRedMinutes * MINUTE_MS ? "red" : age > thresholds.agentHeartbeatAmberMinutes * MINUTE_MS ? "amber" : "green";
    statuses.push(status);
    parts.push(`last heartbeat ${formatAge(age)} ago`);
    if (status !== "green") advice.push(adviceForSymptom("agent-silent", vm.os));
  }
  if (version) {
    parts.push(`version ${version}${latestVersion && latestVersion !== version ? ` (latest ${latestVersion})` : ""}`);
    if (latestVersion && compareVersions(version, latestVersion) < 0) {
      statuses.push("amber");
      advice.push(upgradeAdvice(vm, latestVersion));
    }
  } else {
    parts.push("version not reported");
  }
  if (expiresOn) {
    const left = expiresOn.getTime() - now.getTime();
    if (left <= 0) {
      statuses.push("red");
      parts.push(`support for this version ended ${formatAge(-left)} ago`);
      advice.push(upgradeAdvice(vm, latestVersion));
    } else if (left <= thresholds.agentExpiryWarningDays * DAY_MS) {
      statuses.push("amber");
      parts.push(`support for this version ends in ${formatAge(left)}`);
      advice.push(upgradeAdvice(vm, latestVersion));
    }
  }
  return check(vm, "mobilityAgent", worst(statuses), `${capitalise(parts.join("; "))}.`, advice);
}

function upgradeAdvice(vm: Vm, latest: string | undefined): Advice {
  return {
    id: "mobility-agent-upgrade",
    title: "Upgrade the Mobility agent",
    steps: [
      `Update the Mobility agent on ${vm.name}${latest ? ` to ${latest}` : ""} from the vault (replicated items > the VM > update agent), or turn on automatic agent updates for the vault.`,
    ],
    reference: "https://learn.microsoft.com/azure/site-recovery/upgrade-mobility-service-modernized",
  };
}

function testFailoverCheck(input: VmRuleInput, item: ProtectedItemSnapshot): HealthCheck {
  const { vm, now, thresholds } = input;
  const advice: Advice = {
    id: "test-failover-overdue",
    title: "Run a test failover",
    steps: [
      `Run a test failover that includes ${vm.name} (POST /api/failover with mode 'test', or a drill from the vault) into the isolated test network, check the application, then clean it up.`,
      "A test failover proves the recovery point boots and the application starts; it does not touch production or replication.",
    ],
    reference: "https://learn.microsoft.com/azure/site-recovery/site-recovery-test-failover-to-azure",
  };
  const last = item.lastSuccessfulTestFailoverTime;
  if (!last) return check(vm, "testFailover", "amber", "No successful test failover recorded by ASR.", [advice]);
  const age = ageMs(now, last);
  if (age > thresholds.testFailoverMaxAgeDays * DAY_MS) {
    return check(vm, "testFailover", "amber", `Last successful test failover ${formatAge(age)} ago, more than ${thresholds.testFailoverMaxAgeDays} days.`, [
      advice,
    ]);
  }
  return check(vm, "testFailover", "green", `Last successful test failover ${formatAge(age)} ago.`);
}

function targetSettingsCheck(vm: Vm, vault: Vault | undefined, item: ProtectedItemSnapshot): HealthCheck {
  const { target } = item;
  const missing: string[] = [];
  if (!target.vmSize) missing.push("target VM size");
  if (!target.networkId) missing.push("target network");
  if (!target.primaryNic?.targetSubnetName) missing.push("target subnet of the primary NIC");
  const problems: string[] = [];
  let status: CheckStatus = "green";
  if (missing.length > 0) {
    status = "red";
    problems.push(`not set: ${missing.join(", ")} (the failover cannot create the VM, or creates it unreachable)`);
  }
  if (target.networkId && vault && target.networkId.toLowerCase() === vault.testNetworkId.toLowerCase()) {
    status = "red";
    problems.push("the target network is the isolated test network: a real failover would start production there");
  }
  const ip = target.primaryNic?.targetIpAddress;
  if (ip && ip !== vm.recoveryIp) {
    status = "red";
    problems.push(`the primary NIC's target IP is ${ip}, but DNS records and health probes will point at ${vm.recoveryIp} (the estate's recoveryIp)`);
  } else if (!ip && status === "green") {
    status = "amber";
    problems.push(`no static target IP: Azure will assign one, while DNS records and health probes will point at ${vm.recoveryIp}`);
  }
  const source = target.primaryNic?.sourceIpAddress;
  if (source && vm.onPremisesIp && source !== vm.onPremisesIp) {
    if (status === "green") status = "amber";
    problems.push(
      `ASR sees the VM at ${source} on vSphere, but the failback will probe it at ${vm.onPremisesIp} (the estate's onPremisesIp): set vms[].onPremisesIp to ${source}, or run npm run estate -- discover`,
    );
  }
  if (problems.length === 0) {
    return check(
      vm,
      "targetSettings",
      "green",
      `Size ${target.vmSize ?? "?"}, network ${lastSegment(target.networkId)}, subnet ${target.primaryNic?.targetSubnetName ?? "?"}, IP ${ip ?? "?"}.`,
    );
  }
  return check(vm, "targetSettings", status, `${capitalise(problems.join("; "))}.`, [
    {
      id: "target-settings",
      title: "Complete the VM's compute and network settings in the vault",
      steps: [
        `In vault '${vault?.name ?? vm.vault}', open replicated items > ${vm.name} > Compute and Network, and set the target size, the production target network and subnet${vm.recoveryIp ? `, and the static target IP ${vm.recoveryIp}` : ""}.`,
        "Keep the isolated test network for test failovers only (it is the failover's network only in test mode).",
      ],
      reference: "https://learn.microsoft.com/azure/site-recovery/vmware-azure-set-up-replication-tutorial-modernized",
    },
  ]);
}

function lastSegment(id: string | undefined): string {
  return id?.split("/").filter(Boolean).pop() ?? "?";
}

/** Dotted numeric versions ('9.62.7172.1'); a non-numeric part compares as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(".").map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---- Azure VM agent in the recovered VM (Run Command) ----

/**
 * Run Command answers this when the VM agent never reports (the operation fails after a long wait):
 * code VMAgentStatusCommunicationError, "VM '<name>' has not reported status for VM agent or
 * extensions. Please verify the VM has a running VM agent, and can establish outbound connections to
 * Azure storage." (compute operation poll body in Azure/azure-xplat-cli#2794; Run Command in
 * MicrosoftDocs/azure-docs#11596).
 */
const AGENT_NOT_REPORTING = /VMAgentStatusCommunicationError|has not reported (latest )?status for (VM agent|extension)/i;

/** The guestChecks executor's words when the script ran and some checks answered "failed" (shared/runs/executors/guestChecks.ts). */
const CHECKS_ANSWERED = /: (domainSecureChannel|domainController|databaseReachable|httpHealth) failed \(/;

type GuestOutcome = "ran" | "agentMissing" | "commandFailed" | "notReached";

function classifyGuestRun(e: GuestRunEvidence): GuestOutcome {
  if (e.stepStatus === "succeeded") return "ran";
  if (e.stepStatus === "failed") {
    const detail = e.detail ?? "";
    if (AGENT_NOT_REPORTING.test(detail)) return "agentMissing";
    return CHECKS_ANSWERED.test(detail) ? "ran" : "commandFailed";
  }
  // Not reached (the failover before it failed, the run was cancelled) or still in progress: proves nothing yet.
  return "notReached";
}

/**
 * Whether Run Command will work in the VM ASR recovers: it needs the Azure VM agent, which a vSphere
 * VM does not have unless someone installed it or Site Recovery's hydration installed it at failover
 * (it "will attempt" to, for Windows Server 2008 R2 and later and a list of Linux distributions:
 * learn.microsoft.com/azure/site-recovery/hydration-process). Nothing can tell before a failover but
 * a drill, so the proof is the product's own run history: the newest drill (or failover) whose
 * Run Command on this VM ran. Only VMs a run gives a Run Command: tiers with in-guest checks, or with
 * an HTTP probe (which a drill runs in-guest, the test network being isolated).
 */
function guestAgentCheck(input: VmRuleInput): HealthCheck | undefined {
  const { vm, estate, runs, now, thresholds } = input;
  const tier = estate.tiers.find((t) => t.name === vm.tier);
  if (!runs || !tier || (tier.guestChecks.length === 0 && !tier.healthProbe)) return undefined;
  if (!runs.ok) return check(vm, "guestAgent", "unknown", `Could not check: ${runs.reason}.`);
  const windowDays = thresholds.testFailoverMaxAgeDays;
  const mine = runs.value
    .filter((e) => e.vm === vm.name && ageMs(now, e.runStartedAt) <= windowDays * DAY_MS)
    .sort((a, b) => (b.finishedAt ?? b.runStartedAt).getTime() - (a.finishedAt ?? a.runStartedAt).getTime());
  const last = mine.find((e) => classifyGuestRun(e) !== "notReached");
  const advice = [vmAgentAdvice(vm)];
  if (!last) {
    const newest = mine[0];
    const reason = newest
      ? `Not proven: the last ${describeRun(newest, now)} did not reach the in-guest checks on this VM (${newest.runFailureReason ?? (newest.runStatus === "running" ? "it is still running" : `step ${newest.stepStatus}`)}), and no earlier one in the last ${windowDays} days ran them.`
      : `Not proven: no drill or failover in the last ${windowDays} days ran Run Command on this VM (the in-guest checks: ${guestCheckNames(tier).join(", ")}).`;
    return check(vm, "guestAgent", "amber", `${reason} Run Command needs the Azure VM agent in the recovered VM; only a run shows it is there.`, advice);
  }
  const on = vmNameOf(last.targetVmId) ?? "the recovered VM";
  switch (classifyGuestRun(last)) {
    case "ran":
      return check(
        vm,
        "guestAgent",
        "green",
        `Proven: the ${describeRun(last, now)} ran Run Command on ${on}${last.stepStatus === "succeeded" ? " successfully" : "; the command ran, though some of its checks failed (see that run)"}.`,
      );
    case "agentMissing":
      return check(
        vm,
        "guestAgent",
        "red",
        `The ${describeRun(last, now)} could not run Run Command on ${on}: the Azure VM agent did not report (${truncate(azureErrorOf(last.detail ?? ""), 240)}). A failover's in-guest checks (${guestCheckNames(tier).join(", ")}) would fail the same way.`,
        advice,
      );
    default:
      return check(
        vm,
        "guestAgent",
        "amber",
        `Not proven: the ${describeRun(last, now)} could not run Run Command on ${on} (${truncate(last.detail ?? "no reason recorded", 240)}).`,
        advice,
      );
  }
}

function describeRun(e: GuestRunEvidence, now: Date): string {
  const at = e.finishedAt ?? e.runStartedAt;
  return `${e.mode === "test" ? "drill" : "failover"} (${e.runId}, ${at.toISOString().slice(0, 10)}, ${formatAge(ageMs(now, at))} ago)`;
}

function guestCheckNames(tier: { readonly guestChecks: readonly string[]; readonly healthProbe?: unknown }): string[] {
  return [...tier.guestChecks, ...(tier.healthProbe ? ["in-guest HTTP probe in drills"] : [])];
}

function vmNameOf(id: string | undefined): string | undefined {
  return id?.split("/").filter(Boolean).pop();
}

/** Azure's own words from a step error that wraps them ("API01: Run Command not accepted yet (Run Command on API01-test: <code> <message>)"). */
function azureErrorOf(detail: string): string {
  const at = detail.search(AGENT_NOT_REPORTING);
  return at < 0 ? detail : detail.slice(at).replace(/\)+$/, "");
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

function vmAgentAdvice(vm: Vm): Advice {
  const install =
    vm.os === "windows"
      ? `Install the Azure VM agent in ${vm.name} on vSphere now (Windows VM agent MSI: https://go.microsoft.com/fwlink/?LinkID=394789), and check that the 'WindowsAzureGuestAgent' service starts automatically. Site Recovery's hydration attempts this at failover for Windows Server 2008 R2 and later; a drill is what shows it worked.`
      : `Install the Azure Linux agent in ${vm.name} on vSphere now (the distribution's walinuxagent/WALinuxAgent package and its requirements: https://learn.microsoft.com/azure/virtual-machines/extensions/agent-linux#installation), enabled at boot. Site Recovery's hydration installs it at failover only for the distributions it lists; a drill is what shows it worked.`;
  return {
    id: "vm-agent-recovered",
    title: "Make sure the Azure VM agent runs in the recovered VM",
    steps: [
      install,
      "The agent reports through 168.63.129.16 and needs outbound access to Azure Storage: check the NSGs of the test and recovery subnets, the guest firewall and any proxy.",
      `Then run a drill that includes ${vm.name} (POST /api/failover with mode 'test', scope vms [${vm.name}]); the next health check reads its result.`,
    ],
    reference: "https://learn.microsoft.com/azure/site-recovery/hydration-process",
  };
}
