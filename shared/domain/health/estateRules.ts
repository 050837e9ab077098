import type { DnsRecord, Estate, Vm } from "../estate.js";
import { recordFqdn } from "../recordFqdn.js";
import { dnsRecordVerdict } from "./dnsRecordVerdict.js";
import { ageMs, capitalise, formatAge, MINUTE_MS } from "./format.js";
import { estateCheck as check } from "./estateCheck.js";
import { worst, type Advice, type CheckStatus, type HealthCheck } from "./healthReport.js";
import { dnsRecordKey, type HealthSnapshot, type Read, type VmAgentState } from "./healthSnapshot.js";
import { locateItem, unclaimedItems, type ItemLocation } from "./inventory.js";
import { leftoverTestVmCheck } from "./leftoverTestVms.js";
import { adviceForSymptom } from "./remediation.js";
import { capacityChecks } from "./targetCapacity.js";
import type { Site } from "./expectedSite.js";
import { networkChecks } from "./networkRules.js";
import type { HealthThresholds } from "./thresholds.js";

export interface EstateRuleInput {
  readonly estate: Estate;
  readonly snapshot: HealthSnapshot;
  readonly now: Date;
  readonly thresholds: HealthThresholds;
}

export function evaluateEstate(input: EstateRuleInput): HealthCheck[] {
  const locations = new Map(input.estate.vms.map((vm) => [vm.name, locateItem(input.estate, vm, input.snapshot)] as const));
  return [
    ...expressRouteChecks(input),
    targetDcCheck(input),
    runCommandCheck(input, locations),
    ...dnsChecks(input, locations),
    ...networkChecks(input, locations),
    inventoryDriftCheck(input, locations),
    ...recoveryPlanChecks(input, locations),
    ...policyChecks(input, locations),
    ...notificationChecks(input),
    ...rpoAlertChecks(input),
    leftoverTestVmCheck(input),
    ...capacityChecks(input.estate, input.snapshot, locations),
  ];
}

// ---- RPO alert rule (infra/app/alerts.bicep, alert-asr-rpo-*) ----

const RPO_ALERT_REFERENCE = "https://learn.microsoft.com/azure/site-recovery/monitor-log-analytics";

/**
 * Whether the RPO alert rule can fire for each vault: it reads AzureDiagnostics rows of category
 * AzureSiteRecoveryReplicatedItems with the vault's provider and compares rpoInSeconds_d. Microsoft
 * documents those columns for A2A and InMageAzureV2 only, and a vault whose diagnostic setting uses
 * resource-specific tables (ASRReplicatedItems, no RPO column) writes no such rows. So the check
 * looks at what actually arrived: no rows, or rows without rpoInSeconds_d, mean the rule is blind
 * and only this nightly check's per-VM RPO reading watches replication. Amber: a failover would
 * still work, but an RPO breach between two health checks would go unnoticed.
 */
function rpoAlertChecks({ estate, snapshot }: EstateRuleInput): HealthCheck[] {
  const read = snapshot.asrLogCoverage;
  return Object.values(estate.vaults).map((vault) => {
    const title = `RPO alert rule receives ${vault.name}'s replication logs`;
    if (!read)
      return check(
        "rpoAlert",
        vault.name,
        vault.name,
        title,
        "unknown",
        "Not checked: no Site Recovery log workspace configured (estate healthCheck.asrLogsWorkspaceId, the deployment's LOG_ANALYTICS_WORKSPACE_ID).",
      );
    if (!read.ok) return check("rpoAlert", vault.name, vault.name, title, "unknown", `Could not check: ${read.reason}.`);
    const rows = read.value.filter((c) => c.vault === vault.name.toLowerCase());
    const own = rows.filter((c) => c.provider.toLowerCase() === vault.provider.toLowerCase());
    const withRpo = own.reduce((n, c) => n + c.rowsWithRpo, 0);
    if (withRpo > 0) {
      const newest = own
        .map((c) => c.newest)
        .filter((d): d is Date => d !== null)
        .sort((a, b) => b.getTime() - a.getTime())[0];
      return check(
        "rpoAlert",
        vault.name,
        vault.name,
        title,
        "green",
        `${withRpo} AzureSiteRecoveryReplicatedItems rows with rpoInSeconds_d for ${vault.provider} in the last 24 h${newest ? `, newest at ${newest.toISOString()}` : ""}.`,
      );
    }
    const reason =
      rows.length === 0
        ? `No AzureSiteRecoveryReplicatedItems rows from ${vault.name} reached the workspace in the last 24 h: the vault has no diagnostic setting sending that category there in Azure Diagnostics mode (or sends it to resource-specific tables, which have no RPO column)`
        : own.length === 0
          ? `${vault.name} logs AzureSiteRecoveryReplicatedItems, but none with replicationProviderName_s '${vault.provider}' (seen: ${rows.map((c) => c.provider || "none").join(", ")})`
          : `${vault.name} logs AzureSiteRecoveryReplicatedItems for ${vault.provider}, but without rpoInSeconds_d`;
    return check(
      "rpoAlert",
      vault.name,
      vault.name,
      title,
      "amber",
      `${reason}. The RPO alert rule cannot fire for this vault; only this nightly check's per-VM RPO watches replication.`,
      [
        {
          id: "rpo-alert-no-logs",
          title: `Make ${vault.name}'s RPO visible to the alert rule`,
          steps: [
            `On ${vault.name}, open Diagnostic settings: the setting 'dr-automation-*' must send AzureSiteRecoveryReplicatedItems to the deployment's workspace with the Azure Diagnostics toggle (redeploy infra/ to restore it).`,
            `In the workspace, run: AzureDiagnostics | where Category == "AzureSiteRecoveryReplicatedItems" | where Resource =~ "${vault.name}" | summarize count() by replicationProviderName_s, isnotnull(rpoInSeconds_d). ASR pushes these rows periodically; allow an hour after a change.`,
            "If rows arrive for the provider without rpoInSeconds_d, the rule cannot work for it: keep the nightly check's RPO reading as the signal and raise the health check's frequency (HEALTH_CHECK_SCHEDULE).",
          ],
          reference: RPO_ALERT_REFERENCE,
        },
      ],
    );
  });
}

// ---- Notifications ----

function notificationChecks({ snapshot }: EstateRuleInput): HealthCheck[] {
  const read = snapshot.notificationChannels;
  if (!read) return [];
  const title = "Notification channels can reach people";
  if (!read.ok) return [check("notifications", "", "notifications", title, "unknown", `Could not check: ${read.reason}.`)];
  if (read.value.length === 0) {
    return [
      check("notifications", "", "notifications", title, "amber", "No notification channel is configured: failovers and these reports reach only the logs.", [
        notificationAdvice(),
      ]),
    ];
  }
  const statuses = read.value.map((c): CheckStatus => (c.state === "healthy" ? "green" : c.state === "degraded" ? "amber" : "red"));
  const parts = read.value.map((c) => `${c.channel}: ${c.state}${c.detail ? ` (${c.detail})` : ""}`);
  const status = worst(statuses);
  return [check("notifications", "", "notifications", title, status, `${capitalise(parts.join("; "))}.`, status === "green" ? [] : [notificationAdvice()])];
}

function notificationAdvice(): Advice {
  return {
    id: "notification-channels",
    title: "Fix the notification channels",
    steps: [
      "Check the NOTIFY_* app settings of the Function App (Teams webhook URL, webhook URL and signing key, e-mail endpoint, sender and recipients) against docs/notifications.md.",
      "A channel that keeps failing usually has an expired or revoked URL or key: replace it (Key Vault reference) and watch the next notification go out.",
    ],
    reference: "https://learn.microsoft.com/azure/azure-functions/functions-how-to-use-azure-function-app-settings",
  };
}

// ---- ExpressRoute ----

const ER_REFERENCE = "https://learn.microsoft.com/azure/expressroute/expressroute-troubleshooting-expressroute-overview";

function expressRouteChecks({ estate, snapshot, thresholds }: EstateRuleInput): HealthCheck[] {
  return estate.alerting.expressRouteCircuits.map((circuit) => {
    const name = lastSegment(circuit.id);
    const title = `ExpressRoute circuit ${name} (${circuit.role})`;
    const read = snapshot.circuits[circuit.id.toLowerCase()];
    if (!read) return check("expressRoute", name, name, title, "unknown", "Not read: no region known for this circuit (estate healthCheck.circuitRegions).");
    if (!read.ok) return check("expressRoute", name, name, title, "unknown", `Could not check: ${read.reason}.`);
    const { bgpPercent, arpPercent, windowMinutes } = read.value;
    const grade = (value: number | null): CheckStatus =>
      value === null ? "red" : value < thresholds.availabilityRedPercent ? "red" : value < thresholds.availabilityAmberPercent ? "amber" : "green";
    let status = worst([grade(bgpPercent), grade(arpPercent)]);
    // The passive circuit carries nothing until the active one fails: losing it removes the redundancy, not the link.
    if (circuit.role === "passive" && status === "red") status = "amber";
    const figures = `BGP availability ${percent(bgpPercent)}, ARP availability ${percent(arpPercent)} over the last ${windowMinutes} min`;
    if (status === "green") return check("expressRoute", name, name, title, status, `${figures}.`);
    const impact =
      circuit.role === "active"
        ? "the site's active link to Azure is degraded or down: replication traffic and users reaching recovered VMs depend on it"
        : "the passive circuit is degraded or down: the site has no second path if the active one fails";
    return check(
      "expressRoute",
      name,
      name,
      title,
      status,
      `${figures}${bgpPercent === null || arpPercent === null ? " (no data point: the circuit is not reporting)" : ""}: ${impact}.`,
      [
        {
          id: "expressroute-down",
          title: "Restore the ExpressRoute circuit",
          steps: [
            `In the portal, open ${name} and check the circuit and provider status ('Enabled' / 'Provisioned') and the private peering's BGP state and ARP table.`,
            "Check the on-premises edge routers' BGP sessions to the Microsoft edge (both primary and secondary links) and open a case with the connectivity provider if the layer-2 link is down.",
            "Metrics BgpAvailability and ArpAvailability under Monitoring show when it started; the alert rules on them trigger the failover policy if both circuits go.",
          ],
          reference: ER_REFERENCE,
        },
      ],
    );
  });
}

// ---- Target DC ----

function targetDcCheck({ estate, snapshot, now, thresholds }: EstateRuleInput): HealthCheck {
  const dc = lastSegment(estate.targetDomainController.vmId);
  const title = `Domain controller in the target region (${dc})`;
  const read = snapshot.targetDcHeartbeat;
  if (!read)
    return check("targetDc", "", dc, title, "unknown", "Not checked: no Log Analytics workspace configured (estate healthCheck.logAnalyticsWorkspaceId).");
  if (!read.ok) return check("targetDc", "", dc, title, "unknown", `Could not check: ${read.reason}.`);
  const advice: Advice[] = [
    {
      id: "target-dc-heartbeat",
      title: `Bring ${dc} back to health before any failover`,
      steps: [
        `Check that ${dc} is running, that its Azure Monitor agent reports to the workspace (Heartbeat table), and that AD replication with the on-premises DCs succeeds (\`repadmin /replsummary\`).`,
        "A failover starts only with a healthy DC in the target region: the run's first step verifies it and stops otherwise.",
      ],
      reference: "https://learn.microsoft.com/azure/azure-monitor/agents/azure-monitor-agent-troubleshoot-windows-vm",
    },
    adviceForSymptom("domain-trust-risk"),
  ];
  if (read.value === null)
    return check("targetDc", "", dc, title, "red", `No Heartbeat from ${dc} in the last 24 h: it is down, or its monitoring agent is.`, advice);
  const age = ageMs(now, read.value);
  const status: CheckStatus =
    age > thresholds.dcHeartbeatRedMinutes * MINUTE_MS ? "red" : age > thresholds.dcHeartbeatAmberMinutes * MINUTE_MS ? "amber" : "green";
  const reason = `Last Heartbeat ${formatAge(age)} ago.`;
  return check(
    "targetDc",
    "",
    dc,
    title,
    status,
    status === "green" ? reason : `${reason} Recovered VMs authenticate against this DC; without it they lose their domain trust.`,
    status === "green" ? [] : advice,
  );
}

// ---- Run Command ----

function runCommandCheck({ estate, snapshot }: EstateRuleInput, locations: ReadonlyMap<string, ItemLocation>): HealthCheck {
  const title = "Run Command available where in-guest checks run";
  const needsGuest = new Set(estate.tiers.filter((t) => t.guestChecks.length > 0).map((t) => t.name));
  const recovered = estate.vms.filter((vm) => {
    const at = locations.get(vm.name);
    return needsGuest.has(vm.tier) && (at?.kind === "found" || at?.kind === "moved") && at.item.activeLocation === "Recovery";
  });
  const targets: { name: string; id: string; role: string }[] = [
    { name: lastSegment(estate.targetDomainController.vmId), id: estate.targetDomainController.vmId, role: "the target DC, verified before every failover" },
    ...recovered.map((vm) => ({ name: lastSegment(vm.recoveryVmId), id: vm.recoveryVmId, role: `recovered ${vm.tier} VM` })),
  ];
  const statuses: CheckStatus[] = [];
  const parts: string[] = [];
  for (const t of targets) {
    const read = snapshot.vmAgents[t.id.toLowerCase()];
    const [status, text] = gradeAgent(read);
    statuses.push(status);
    parts.push(`${t.name} (${t.role}): ${text}`);
  }
  const pending = estate.vms.filter((vm) => needsGuest.has(vm.tier) && !recovered.includes(vm)).length;
  const tail =
    pending > 0
      ? ` The ${pending} VMs of tiers with in-guest checks (${[...needsGuest].join(", ")}) are created by the failover; their agent is checked once they exist.`
      : "";
  const status = worst(statuses);
  return check(
    "runCommand",
    "",
    "Run Command",
    title,
    status,
    `${parts.join("; ")}.${tail}`,
    status === "green" || status === "unknown"
      ? []
      : [
          {
            id: "vm-agent",
            title: "Fix the Azure VM agent so Run Command works",
            steps: [
              "Start the VM if it is stopped. Run Command needs the Azure VM agent: on Windows the 'WindowsAzureGuestAgent' service, on Linux 'walinuxagent'/'waagent', reporting 'Ready' in the VM's instance view.",
              "Check the VM can reach the Azure platform address 168.63.129.16 (NSG rules, guest firewall, proxy settings).",
            ],
            reference: "https://learn.microsoft.com/troubleshoot/azure/virtual-machines/windows/windows-azure-guest-agent",
          },
        ],
  );
}

function gradeAgent(read: Read<VmAgentState> | undefined): [CheckStatus, string] {
  if (!read) return ["unknown", "not read"];
  if (!read.ok) return ["unknown", `could not check (${read.reason})`];
  const v = read.value;
  if (!v.exists) return ["red", "the VM does not exist"];
  if (v.powerState && !/running/i.test(v.powerState)) return ["red", `power state ${v.powerState}`];
  if (!v.agentStatus) return ["red", "no VM agent status reported"];
  if (!/^ready$/i.test(v.agentStatus)) return ["red", `VM agent '${v.agentStatus}'`];
  return ["green", `running, VM agent Ready${v.agentVersion ? ` (${v.agentVersion})` : ""}`];
}

// ---- DNS ----

function dnsChecks({ estate, snapshot, thresholds }: EstateRuleInput, locations: ReadonlyMap<string, ItemLocation>): HealthCheck[] {
  const context = { estate, thresholds, locations };
  return estate.dns.map((record) => {
    const key = dnsRecordKey(record);
    const fqdn = recordFqdn(record.name, record.zone);
    const found = (status: CheckStatus, reason: string, advice: readonly Advice[] = []): HealthCheck =>
      check("dns", key, fqdn, `DNS ${fqdn} (${record.zoneType})`, status, reason, advice);
    const read = snapshot.dns[key];
    if (!read || !read.ok) return found("unknown", `Could not check: ${read ? read.reason : "not read"}.`);
    if (read.value === null) {
      return found("red", "The A record set does not exist: clients resolve nothing today, and the failover would create it from scratch.", [
        dnsAdvice(record, "create"),
      ]);
    }
    const verdict = dnsRecordVerdict(context, record, read.value, "record", (problem, expected) => dnsAdvice(record, problem, expected));
    return found(verdict.status, verdict.reason, verdict.advice);
  });
}

function dnsAdvice(record: DnsRecord, problem: "create" | "repoint" | "ttl", expected?: Site): Advice {
  const cli = record.zoneType === "public" ? "az network dns record-set a" : "az network private-dns record-set a";
  const base = `-g ${record.resourceGroup} -z ${record.zone} -n ${record.name}`;
  const steps =
    problem === "ttl"
      ? [
          `Lower the TTL now, at least one old TTL before any failover: \`${cli} update ${base} --set ttl=${record.ttl}\`.`,
          "Resolvers cache a record for its TTL at the time they looked it up; the failover's own TTL only helps afterwards.",
        ]
      : problem === "create"
        ? [
            `Create the record set with the current site's addresses and TTL ${record.ttl}: \`${cli} create ${base} --ttl ${record.ttl}\` then add its A records.`,
          ]
        : [
            expected === "recovery"
              ? `The tier runs in Azure: point the record at ${record.failoverAddresses.join(", ")} (a failover run's DNS step does this; re-run it or update the record).`
              : expected === "primary"
                ? "The tier runs on premises: point the record back at the on-premises addresses, unless a failover is in progress."
                : "The tier is split between the sites: finish or roll back the failover, then point the record at the site that serves the tier.",
          ];
  return {
    id: `dns-${problem}`,
    title:
      problem === "ttl" ? "Lower the record's TTL for a fast flip" : problem === "create" ? "The record set is missing" : "The record points at the wrong site",
    steps,
    reference: "https://learn.microsoft.com/azure/dns/dns-zones-records#time-to-live",
  };
}

// ---- Drift between the estate and ASR ----

function inventoryDriftCheck({ estate, snapshot }: EstateRuleInput, locations: ReadonlyMap<string, ItemLocation>): HealthCheck {
  const title = "Estate config matches what ASR holds";
  const missing = estate.vms.filter((vm) => locations.get(vm.name)?.kind === "missing");
  const moved = estate.vms.filter((vm) => locations.get(vm.name)?.kind === "moved");
  const unread = estate.vms.filter((vm) => locations.get(vm.name)?.kind === "unread");
  const extra = unclaimedItems(estate, snapshot);
  const parts: string[] = [];
  const statuses: CheckStatus[] = ["green"];
  if (missing.length > 0) {
    statuses.push("red");
    parts.push(`not protected in any estate vault: ${missing.map((v) => v.name).join(", ")}`);
  }
  if (moved.length > 0) {
    statuses.push("red");
    parts.push(
      `protected in another vault than the estate says: ${moved.map((v) => `${v.name} (in ${(locations.get(v.name) as { vaultKey: string }).vaultKey}, estate says ${v.vault})`).join(", ")}`,
    );
  }
  if (extra.length > 0) {
    statuses.push("amber");
    parts.push(
      `protected in ASR but not in the estate (a failover leaves them behind): ${extra.map((e) => `${e.item.friendlyName || e.item.name} in ${e.vaultKey}`).join(", ")}`,
    );
  }
  if (unread.length > 0) {
    statuses.push("unknown");
    parts.push(`could not check ${unread.length} VMs: a vault could not be read`);
  }
  const status = worst(statuses);
  if (parts.length === 0)
    return check(
      "inventoryDrift",
      "",
      "estate",
      title,
      "green",
      `All ${estate.vms.length} VMs are protected in the vaults the estate names, and no vault holds other items.`,
    );
  return check(
    "inventoryDrift",
    "",
    "estate",
    title,
    status,
    `${capitalise(parts.join("; "))}.`,
    status === "unknown"
      ? []
      : [
          {
            id: "inventory-drift",
            title: "Make the estate file and ASR agree",
            steps: [
              "For each VM named above, either fix the estate file (vms[].vault, vms[].protectedItem) or fix its protection in ASR; the per-VM inventory checks say which.",
              "For items protected in ASR but missing from the estate, add them to the estate (with their tier) if they must fail over, or disable their replication.",
            ],
            reference: "https://learn.microsoft.com/azure/site-recovery/vmware-azure-set-up-replication-tutorial-modernized",
          },
        ],
  );
}

function recoveryPlanChecks({ estate, snapshot }: EstateRuleInput, locations: ReadonlyMap<string, ItemLocation>): HealthCheck[] {
  const tierDeps = new Map(estate.tiers.map((t) => [t.name, transitiveDeps(estate, t.name)] as const));
  return Object.entries(estate.vaults).map(([vaultKey, vault]) => {
    const title = `Recovery plans in ${vault.name} follow the tiers`;
    const read = snapshot.vaults[vaultKey]?.recoveryPlans;
    if (!read || !read.ok) return check("recoveryPlan", vaultKey, vault.name, title, "unknown", `Could not check: ${read ? read.reason : "not read"}.`);
    const items = snapshot.vaults[vaultKey]?.items;
    if (!items?.ok)
      return check(
        "recoveryPlan",
        vaultKey,
        vault.name,
        title,
        "unknown",
        `Could not check: the vault's protected items could not be read (${items ? items.reason : "not read"}).`,
      );
    // Estate VMs whose item lives in this vault, by item id.
    const byItemId = new Map<string, Vm>();
    for (const vm of estate.vms) {
      const at = locations.get(vm.name);
      if ((at?.kind === "found" || at?.kind === "moved") && at.vaultKey === vaultKey) byItemId.set(at.item.id.toLowerCase(), vm);
    }
    if (byItemId.size === 0) return check("recoveryPlan", vaultKey, vault.name, title, "green", "No estate VM is protected in this vault.");
    const plans = read.value.filter((p) => p.bootGroups.some((g) => g.some((id) => byItemId.has(id))));
    if (plans.length === 0) {
      return check(
        "recoveryPlan",
        vaultKey,
        vault.name,
        title,
        "amber",
        `No recovery plan covers the ${byItemId.size} estate VMs of this vault: a failover started from the portal would have no boot order (this product orders the tiers itself).`,
        [planAdvice(vault.name)],
      );
    }
    const problems: string[] = [];
    let status: CheckStatus = "green";
    const covered = new Set<string>();
    for (const plan of plans) {
      const groupOf = new Map<string, number>();
      plan.bootGroups.forEach((group, index) => group.forEach((id) => groupOf.set(id, index + 1)));
      const planVms = [...groupOf.entries()].flatMap(([id, group]) => {
        const vm = byItemId.get(id);
        return vm ? [{ vm, group }] : [];
      });
      planVms.forEach(({ vm }) => covered.add(vm.name));
      for (const { vm, group } of planVms) {
        const deps = tierDeps.get(vm.tier) ?? new Set<string>();
        const early = planVms.filter((other) => deps.has(other.vm.tier) && other.group >= group);
        if (early.length > 0) {
          status = "red";
          const first = early[0] as { vm: Vm; group: number };
          problems.push(
            `plan '${plan.name}' boots ${vm.name} (${vm.tier}) in group ${group}, not after ${first.vm.name} (${first.vm.tier}, group ${first.group}) that the ${vm.tier} tier depends on`,
          );
        }
      }
      const foreign = plan.bootGroups.flat().filter((id) => !byItemId.has(id));
      if (foreign.length > 0) {
        if (status === "green") status = "amber";
        problems.push(`plan '${plan.name}' includes ${foreign.length} item(s) that are not estate VMs of this vault`);
      }
    }
    const uncovered = [...byItemId.values()].filter((vm) => !covered.has(vm.name));
    if (uncovered.length > 0) {
      if (status === "green") status = "amber";
      problems.push(`not in any recovery plan: ${uncovered.map((v) => v.name).join(", ")}`);
    }
    if (problems.length === 0)
      return check(
        "recoveryPlan",
        vaultKey,
        vault.name,
        title,
        "green",
        `${plans.map((p) => `'${p.name}'`).join(", ")} boot the ${byItemId.size} estate VMs in tier order.`,
      );
    return check("recoveryPlan", vaultKey, vault.name, title, status, `${capitalise(dedupeText(problems).join("; "))}.`, [planAdvice(vault.name)]);
  });
}

function planAdvice(vaultName: string): Advice {
  return {
    id: "recovery-plan-drift",
    title: "Align the recovery plan's groups with the estate's tiers",
    steps: [
      `In vault '${vaultName}', edit the recovery plan (Recovery plans > the plan > Customize) so each tier's VMs boot in a group after the tiers it depends on (identity, then edge, then api, then web/recommendation) and every estate VM of the vault is in it.`,
      "The automated failover orders tiers itself; the plan matters when someone fails over from the portal.",
    ],
    reference: "https://learn.microsoft.com/azure/site-recovery/site-recovery-create-recovery-plans",
  };
}

function transitiveDeps(estate: Estate, tier: string): Set<string> {
  const byName = new Map(estate.tiers.map((t) => [t.name, t]));
  const found = new Set<string>();
  const visit = (name: string): void => {
    for (const dep of byName.get(name)?.dependsOn ?? []) {
      if (found.has(dep)) continue;
      found.add(dep);
      visit(dep);
    }
  };
  visit(tier);
  return found;
}

function policyChecks({ estate, snapshot }: EstateRuleInput, locations: ReadonlyMap<string, ItemLocation>): HealthCheck[] {
  const { retentionDays, appConsistentFrequencyMinutes } = estate.objectives;
  return Object.entries(estate.vaults).map(([vaultKey, vault]) => {
    const title = `Replication policy in ${vault.name} meets the objectives`;
    const read = snapshot.vaults[vaultKey]?.policies;
    if (!read || !read.ok) return check("replicationPolicy", vaultKey, vault.name, title, "unknown", `Could not check: ${read ? read.reason : "not read"}.`);
    const items = snapshot.vaults[vaultKey]?.items;
    if (!items?.ok)
      return check(
        "replicationPolicy",
        vaultKey,
        vault.name,
        title,
        "unknown",
        `Could not check: the vault's protected items could not be read (${items ? items.reason : "not read"}).`,
      );
    const used = new Set<string>();
    for (const vm of estate.vms) {
      const at = locations.get(vm.name);
      if ((at?.kind === "found" || at?.kind === "moved") && at.vaultKey === vaultKey && at.item.policyId) used.add(at.item.policyId.toLowerCase());
    }
    if (used.size === 0) return check("replicationPolicy", vaultKey, vault.name, title, "green", "No estate VM of this vault names a policy.");
    const statuses: CheckStatus[] = [];
    const parts: string[] = [];
    for (const policyId of used) {
      const policy = read.value.find((p) => p.id.toLowerCase() === policyId);
      if (!policy) {
        statuses.push("amber");
        parts.push(`policy ${lastSegment(policyId)} used by estate VMs is not in the vault's policy list`);
        continue;
      }
      const { retentionMinutes, appConsistentFrequencyMinutes: app } = policy;
      if (retentionMinutes === undefined) {
        statuses.push("unknown");
        parts.push(`'${policy.name}' reports no recovery point retention`);
      } else if (retentionMinutes < retentionDays * 1440) {
        statuses.push("red");
        parts.push(`'${policy.name}' keeps recovery points ${formatAge(retentionMinutes * MINUTE_MS)}, less than the ${retentionDays} days promised`);
      } else {
        statuses.push("green");
        parts.push(`'${policy.name}' keeps ${formatAge(retentionMinutes * MINUTE_MS)}`);
      }
      if (app === undefined || app === 0) {
        statuses.push("red");
        parts.push(`'${policy.name}' takes no app-consistent snapshots`);
      } else if (app > appConsistentFrequencyMinutes) {
        statuses.push("amber");
        parts.push(`'${policy.name}' takes app-consistent snapshots every ${app} min, not every ${appConsistentFrequencyMinutes}`);
      } else {
        parts.push(`app-consistent every ${app} min`);
      }
    }
    const status = worst(statuses);
    return check(
      "replicationPolicy",
      vaultKey,
      vault.name,
      title,
      status,
      `${capitalise(parts.join("; "))}.`,
      status === "green" || status === "unknown"
        ? []
        : [
            {
              id: "replication-policy",
              title: "Set the replication policy to the estate's objectives",
              steps: [
                `In vault '${vault.name}' (Site Recovery infrastructure > Replication policies), set recovery point retention to ${retentionDays} days and app-consistent snapshot frequency to ${appConsistentFrequencyMinutes} min, or change the estate's objectives if they were relaxed on purpose.`,
              ],
              reference: "https://learn.microsoft.com/azure/site-recovery/vmware-azure-set-up-replication-tutorial-modernized",
            },
          ],
    );
  });
}

function percent(value: number | null): string {
  return value === null ? "no data" : `${Math.round(value * 10) / 10}%`;
}

function lastSegment(id: string): string {
  return id.split("/").filter(Boolean).pop() ?? id;
}

function dedupeText(items: readonly string[]): string[] {
  return [...new Set(items)];
}
